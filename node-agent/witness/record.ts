// Witness records and their leaves (WITNESS.md is the normative description).
import { blake3 } from "@noble/hashes/blake3.js";
import { canonicalize } from "../../protocol/jcs.ts";
import { hashToText } from "../../protocol/hash.ts";
import { merkleRoot } from "../../protocol/merkle.ts";

export const WITNESS_VERSION = 1;
/** Streams are cut into segments of this many bytes (the last one may be shorter). */
export const SEGMENT_SIZE = 4096;

export type StreamName = "stdin" | "stdout" | "stderr";

export interface StreamRecord {
  v: 1;
  seq: number;
  stream: StreamName;
  offset: number;
  size: number;
  /** BLAKE3 of the segment's bytes */
  data: string;
}

export interface FileRecord {
  v: 1;
  seq: number;
  stream: "file";
  /** absolute path inside the container: <output_dir>/<relative path> */
  path: string;
  size: number;
  /** BLAKE3 of the whole file */
  data: string;
}

export interface SymlinkRecord {
  v: 1;
  seq: number;
  stream: "file";
  path: string;
  /** the link's target, verbatim */
  link: string;
}

export type WitnessRecord = StreamRecord | FileRecord | SymlinkRecord;

export function hashText(bytes: Uint8Array): string {
  return hashToText(blake3(bytes));
}

/** Leaf data of a record: the 32 raw bytes of BLAKE3(UTF-8(JCS(record))). */
export function leafOf(record: WitnessRecord): Uint8Array {
  return blake3(new TextEncoder().encode(canonicalize(record)));
}

/** "blake3:…" Merkle root (PROTOCOL.md §2 tree) over the records in seq order. */
export function witnessRoot(records: readonly WitnessRecord[]): string {
  return hashToText(merkleRoot(records.map(leafOf)));
}
