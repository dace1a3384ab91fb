// Reads a byte stream whole, but never more than a cap: an oversized or endless body is
// cancelled as soon as it passes the cap, so it never sits in memory.

/** The stream's bytes, or `null` once more than `max` bytes arrived (the stream is then cancelled). */
export async function readStreamCapped(stream: ReadableStream<Uint8Array>, max: number): Promise<Uint8Array | null> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      // Not awaited: a cancel can wait on the sender's side, and the caller's answer must not.
      reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const ch of chunks) {
    out.set(ch, at);
    at += ch.byteLength;
  }
  return out;
}
