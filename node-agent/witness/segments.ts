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

/** Segment hashes of the file at `file` (missing file = empty stream). */
export async function segmentFile(file: string): Promise<Segment[]> {
  if (!fs.existsSync(file)) return [];
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
