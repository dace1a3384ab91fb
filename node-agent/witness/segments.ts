// Cuts a byte stream into fixed SEGMENT_SIZE segments regardless of how read() chunked it, so the
// records depend only on the bytes, never on pipe timing.
import { blake3 } from "@noble/hashes/blake3.js";
import fs from "node:fs";
import { hashToText } from "../../protocol/hash.ts";
import { SEGMENT_SIZE } from "./record.ts";

export interface Segment {
  offset: number;
  size: number;
  data: string;
}

/** Streams up to this size are read in one synchronous call (the usual case: a few KiB; hashing 64 KiB takes well under a millisecond). */
const SMALL_STREAM = 64 * 1024;

function readSmall(file: string): Buffer | null | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size > SMALL_STREAM) return undefined;
    const buf = Buffer.allocUnsafe(size + 1); // one spare byte: a stream still growing is read as a large one
    let n = 0;
    for (let got = -1; got !== 0 && n < buf.length; n += got) got = fs.readSync(fd, buf, n, buf.length - n, null);
    return n > size ? undefined : buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** Segment hashes of the file at `file` (missing file = empty stream). */
export async function segmentFile(file: string): Promise<Segment[]> {
  const small = readSmall(file);
  if (small === null) return [];
  if (small !== undefined) {
    const segments: Segment[] = [];
    for (let offset = 0; offset < small.length; offset += SEGMENT_SIZE) {
      const bytes = small.subarray(offset, Math.min(offset + SEGMENT_SIZE, small.length));
      segments.push({ offset, size: bytes.length, data: hashToText(blake3(bytes)) });
    }
    return segments;
  }
  const segments: Segment[] = [];
  const carry = Buffer.alloc(SEGMENT_SIZE);
  let fill = 0;
  let offset = 0;
  const emit = (bytes: Uint8Array) => {
    segments.push({ offset, size: bytes.length, data: hashToText(blake3(bytes)) });
    offset += bytes.length;
  };
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 16 * SEGMENT_SIZE }) as AsyncIterable<Buffer>) {
    let pos = 0;
    while (pos < chunk.length) {
      const take = Math.min(SEGMENT_SIZE - fill, chunk.length - pos);
      chunk.copy(carry, fill, pos, pos + take);
      fill += take;
      pos += take;
      if (fill === SEGMENT_SIZE) {
        emit(carry);
        fill = 0;
      }
    }
  }
  if (fill > 0) emit(carry.subarray(0, fill));
  return segments;
}
