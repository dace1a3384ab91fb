// A WebSocket opened with the headers of an already-built (signed) HTTP request, so a terminal
// session is authenticated exactly like every other call (RFC 9421 over the upgrade GET). Node's
// own WebSocket cannot send headers (and Node 20 has none without a flag): the `ws` package can.
import WebSocket from "ws";

export type { WebSocket };

export type MessageHandler = (data: Buffer, binary: boolean) => void;

/**
 * Opens the upgrade `req` describes; rejects with the server's status and text when it refuses.
 * `onMessage` is attached before the handshake completes: a frame that arrives with the 101
 * answer is emitted in the same tick as `open`, before any caller awaiting this could listen.
 */
export function openSocket(req: Request, onMessage?: MessageHandler, timeoutMs = 15_000): Promise<WebSocket> {
  const url = req.url.replace(/^http/, "ws");
  const headers: Record<string, string> = {};
  req.headers.forEach((v, k) => (headers[k] = v));
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, handshakeTimeout: timeoutMs, perMessageDeflate: false });
    if (onMessage) ws.on("message", (data, binary) => onMessage(data as Buffer, binary));
    ws.once("open", () => resolve(ws));
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (b: Buffer) => (body += b.toString()));
      res.on("end", () => {
        let detail = body.slice(0, 500);
        try {
          detail = (JSON.parse(body) as { detail?: string }).detail ?? detail;
        } catch {
          // not a problem document
        }
        reject(Object.assign(new Error(`attach refused (${res.statusCode}): ${detail}`), { status: res.statusCode }));
      });
    });
    ws.once("error", reject);
  });
}
