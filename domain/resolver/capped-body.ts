// Reading a response body with a hard size limit: the Content-Length is checked first, then the
// stream is read chunk by chunk and cancelled (and the request aborted) as soon as it passes the
// limit, so an oversized or endless body never sits in memory.
import { ResolveError } from "../../protocol/rootzk/errors.ts";
import { readStreamCapped } from "../capped-stream.ts";

export async function readCapped(res: Response, maxBytes: number, abort: () => void): Promise<Uint8Array> {
  const declared = res.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) {
    abort();
    throw new ResolveError("invalidDidDocumentLength", `did:web document is larger than ${maxBytes} bytes`, "didDocument");
  }
  if (res.body === null) return new Uint8Array(0);
  const body = await readStreamCapped(res.body, maxBytes);
  if (body === null) {
    abort();
    throw new ResolveError("invalidDidDocumentLength", `did:web document is larger than ${maxBytes} bytes`, "didDocument");
  }
  return body;
}
