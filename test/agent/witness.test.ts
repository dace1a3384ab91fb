// Witness records depend on bytes only: not on how they were chunked, nor on interleaving.
import { blake3 } from "@noble/hashes/blake3.js";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalize } from "../../protocol/jcs.ts";
import { hashToText } from "../../protocol/hash.ts";
import { merkleRoot } from "../../protocol/merkle.ts";
import {
  SEGMENT_SIZE,
  buildRecords,
  readStreamRange,
  readWitnessRecords,
  recordWitness,
  rootOfLog,
  verifyWitness,
  witnessRoot,
  type WitnessInput,
} from "../../node-agent/witness/index.ts";
import { cleanup, tempDir } from "./helpers.ts";

let work: string;
beforeAll(() => {
  work = tempDir("witness");
});
afterAll(() => cleanup(undefined, work));

function fixture(name: string, stdout: Buffer, stderr = Buffer.alloc(0), files: Record<string, string> = {}): WitnessInput {
  const dir = path.join(work, name);
  fs.mkdirSync(path.join(dir, "out"), { recursive: true });
  fs.writeFileSync(path.join(dir, "stdout"), stdout);
  fs.writeFileSync(path.join(dir, "stderr"), stderr);
  for (const [p, data] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, "out", p)), { recursive: true });
    fs.writeFileSync(path.join(dir, "out", p), data);
  }
  return { streams: { stdout: path.join(dir, "stdout"), stderr: path.join(dir, "stderr") }, output: { hostDir: path.join(dir, "out"), containerDir: "/out" } };
}

const bytes = (n: number, seed = 1) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));

describe("witness records", () => {
  it("cuts streams into fixed segments and orders stdout, stderr, then files by path", async () => {
    const input = fixture("order", bytes(SEGMENT_SIZE * 2 + 10), Buffer.from("warn\n"), { "z.txt": "z", "a/b.txt": "ab", "a.txt": "a" });
    const records = await buildRecords(input);
    expect(records.map((r) => [r.seq, r.stream, "offset" in r ? r.offset : r.path])).toEqual([
      [0, "stdout", 0],
      [1, "stdout", SEGMENT_SIZE],
      [2, "stdout", SEGMENT_SIZE * 2],
      [3, "stderr", 0],
      [4, "file", "/out/a.txt"], // "." (0x2e) sorts before "/" (0x2f): byte order of the path
      [5, "file", "/out/a/b.txt"],
      [6, "file", "/out/z.txt"],
    ]);
    expect(records[2]).toMatchObject({ size: 10, data: hashToText(blake3(bytes(SEGMENT_SIZE * 2 + 10).subarray(SEGMENT_SIZE * 2))) });
    expect(records[5]).toEqual({ v: 1, seq: 5, stream: "file", path: "/out/a/b.txt", size: 2, data: hashToText(blake3(Buffer.from("ab"))) });
  });

  it("defines the root as the RFC 9162 BLAKE3 tree over BLAKE3(JCS(record)) leaves", async () => {
    const records = await buildRecords(fixture("root", Buffer.from("hello\n")));
    const leaves = records.map((r) => blake3(new TextEncoder().encode(canonicalize(r))));
    expect(witnessRoot(records)).toBe(hashToText(merkleRoot(leaves)));
    expect(witnessRoot([])).toBe(hashToText(blake3(new Uint8Array(0))));
  });

  it("does not depend on how the stream was written", async () => {
    const data = bytes(3 * SEGMENT_SIZE + 123, 7);
    const a = fixture("chunks-a", data);
    const b = fixture("chunks-b", Buffer.alloc(0));
    for (let off = 0; off < data.length; off += 1000) fs.appendFileSync(b.streams.stdout, data.subarray(off, off + 1000));
    expect(witnessRoot(await buildRecords(a))).toBe(witnessRoot(await buildRecords(b)));
  });

  it("changes with any byte of output", async () => {
    const base = witnessRoot(await buildRecords(fixture("diff-a", Buffer.from("same"), Buffer.alloc(0), { f: "1" })));
    expect(witnessRoot(await buildRecords(fixture("diff-b", Buffer.from("same"), Buffer.alloc(0), { f: "2" })))).not.toBe(base);
    expect(witnessRoot(await buildRecords(fixture("diff-c", Buffer.from("samE"), Buffer.alloc(0), { f: "1" })))).not.toBe(base);
    expect(witnessRoot(await buildRecords(fixture("diff-d", Buffer.alloc(0), Buffer.from("same"), { f: "1" })))).not.toBe(base);
  });

  it("persists a log that can be paged, served and re-verified", async () => {
    const input = fixture("persist", bytes(SEGMENT_SIZE * 5), Buffer.from("e"), { "r.bin": "result" });
    const log = path.join(work, "persist", "witness.jsonl");
    const summary = await recordWitness(input, log, path.join(work, "persist", "witness.json"));
    expect(summary).toMatchObject({ v: 1, count: 7, files: 1, bytes: { stdin: 0, stdout: SEGMENT_SIZE * 5, stderr: 1 } });
    expect(await rootOfLog(log)).toBe(summary.root);
    const page = await readWitnessRecords(log, { offset: 2, limit: 2 });
    expect(page.total).toBe(7);
    expect(page.records.map((r) => r.seq)).toEqual([2, 3]);
    expect(Buffer.from(await readStreamRange(input.streams.stdout, SEGMENT_SIZE, 4))).toEqual(bytes(SEGMENT_SIZE * 5).subarray(SEGMENT_SIZE, SEGMENT_SIZE + 4));
    expect(await verifyWitness(input, log)).toEqual({ ok: true, root: summary.root });
    fs.writeFileSync(path.join(input.output!.hostDir, "r.bin"), "RESULT");
    expect(await verifyWitness(input, log)).toMatchObject({ ok: false, firstMismatch: 6 });
  });
});
