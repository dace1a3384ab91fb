import { DurableObject } from "cloudflare:workers";

/** Which end of a terminal session a socket is: the user's CLI or the agent running the command. */
export type ExecSide = "user" | "agent";
/** Set by the Worker after it checked the signed upgrade; a client never reaches a DO directly. */
export const EXEC_SIDE_HEADER = "x-enc-exec-side";
export const EXEC_DEADLINE_HEADER = "x-enc-exec-deadline";

const other = (side: ExecSide): ExecSide => (side === "user" ? "agent" : "user");

/**
 * The relay of one `enc exec -t` session (one instance per exec): two WebSockets, the user's and
 * the agent's, each admitted once, and every frame passed to the other side. It is its own DO so a
 * chatty terminal never queues behind the cluster's own work, and it uses the hibernation API so
 * an idle session costs nothing. Nothing is kept of what flows through: the exec's record is its
 * ReplicaExec audit entry and the agent's signed outcome.
 */
export class ExecSessionDO extends DurableObject<Env> {
  async fetch(req: Request): Promise<Response> {
    const side = req.headers.get(EXEC_SIDE_HEADER);
    if (side !== "user" && side !== "agent") return new Response("no side", { status: 400 });
    if (req.headers.get("Upgrade")?.toLowerCase() !== "websocket") return new Response("a terminal session is a WebSocket: send Upgrade: websocket", { status: 426 });
    const kv = this.ctx.storage.kv;
    // Single use per side: a socket that dropped is not replaced, so a stolen upgrade cannot join later.
    if (kv.get(`attached:${side}`)) return new Response(`the ${side} side of this session has already attached`, { status: 409 });
    kv.put(`attached:${side}`, true);
    const deadline = Number(req.headers.get(EXEC_DEADLINE_HEADER));
    if (Number.isFinite(deadline) && deadline > 0 && (await this.ctx.storage.getAlarm()) == null) await this.ctx.storage.setAlarm(deadline);
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1], [side]);
    if (this.ctx.getWebSockets(other(side)).length > 0) {
      for (const ws of this.ctx.getWebSockets()) ws.send(JSON.stringify({ t: "ready" }));
    }
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    const side = this.sideOf(ws);
    if (!side) return;
    for (const peer of this.ctx.getWebSockets(other(side))) peer.send(message);
  }

  webSocketClose(ws: WebSocket, code: number, reason: string): void {
    this.hangUp(ws, code === 1005 || code === 1006 ? 1000 : code, reason);
  }

  webSocketError(ws: WebSocket): void {
    this.hangUp(ws, 1011, "the other side's connection failed");
  }

  /** The session outlived its command's timeout: close both ends. */
  alarm(): void {
    for (const ws of this.ctx.getWebSockets()) ws.close(1001, "the session's time is up");
  }

  private hangUp(ws: WebSocket, code: number, reason: string): void {
    const side = this.sideOf(ws);
    try {
      ws.close(code, reason);
    } catch {
      // already closed
    }
    if (!side) return;
    for (const peer of this.ctx.getWebSockets(other(side))) {
      try {
        peer.close(code, reason || `the ${side} side hung up`);
      } catch {
        // already closed
      }
    }
  }

  private sideOf(ws: WebSocket): ExecSide | null {
    const tag = this.ctx.getTags(ws)[0];
    return tag === "user" || tag === "agent" ? tag : null;
  }
}
