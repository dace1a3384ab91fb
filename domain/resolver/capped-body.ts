// Reading a response body with a hard size limit: the Content-Length is checked first, then the
// stream is read chunk by chunk and cancelled (and the request aborted) as soon as it passes the
// limit, so an oversized or endless body never sits in memory.
import { ResolveError } from "../../protocol/rootzk/errors.ts";

export async function readCapped(res: Response, maxBytes: number, abort: () => void): Promise<Uint8Array> {
  const declared = res.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) {
    abort();
    throw new ResolveError("invalidDidDocumentLength", `did:web document is larger than ${maxBytes} bytes`, "didDocument");
  }
  if (res.body === null) return new Uint8Array(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      abort();
      await reader.cancel().catch(() => {});
      throw new ResolveError("invalidDidDocumentLength", `did:web document is larger than ${maxBytes} bytes`, "didDocument");
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}
