// Reproduces the `keys` and `tlog` sections of test/vectors/protocol-v1.1.json (PROTOCOL.md §6),
// in workerd and Node (this directory runs in both projects), with both Ed25519 backends.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import vectors from "../vectors/protocol-v1.1.json";
import { fromBase64, setEd25519Backend, signerFromHex, toBase64, utf8, fromUtf8 } from "../../protocol/index.ts";
import {
  ALG_ED25519, checkpointBody, consistencyProofOf, decodeEntryBundle, encodeEntryBundle, encodeVkey, formatTileIndex,
  inclusionProofOf, openNoteEd25519, parseCheckpoint, parseNote, parseTilePath, parseVkey, proveConsistency, proveInclusion,
  rootOfLeafHashes, signNoteEd25519, tileHashReader, tilePath, tlogLeafHash, treeRoot, verifyNoteEd25519,
  verifyTlogConsistency, verifyTlogInclusion, buildHashTile, hashesForAppend, type HashReader,
} from "../../protocol/c2sp/index.ts";
import { formatNote, signEd25519LineSync } from "../../protocol/c2sp/note.ts";
import { syncSignerFromSeed } from "../../protocol/sync-signer.ts";
import { fromHex } from "../../protocol/bytes.ts";

const T = vectors.tlog;
const b64 = (s: string) => fromBase64(s);

describe("1.1 keys", () => {
  it("the notary seed gives the log's vkey (Ed25519, alg 0x01)", async () => {
    const notary = await signerFromHex(vectors.keys.notary_seed);
    expect(encodeVkey(T.origin, ALG_ED25519, notary.publicKey)).toBe(T.vkey);
    const k = parseVkey(T.vkey);
    expect(k).toMatchObject({ name: T.origin, alg: 1 });
    expect(k.publicKey).toEqual(notary.publicKey);
    // Every seed is a valid 32-byte Ed25519 seed.
    for (const seed of Object.values(vectors.keys)) expect((await signerFromHex(seed)).publicKey.length).toBe(32);
  });

  it("a vkey whose id does not match its key is refused", () => {
    expect(() => parseVkey(T.vkey.replace("+883ae332+", "+883ae333+"))).toThrow(/key id/);
    expect(() => parseVkey("a+b")).toThrow();
  });
});

describe("1.1 tlog: tree", () => {
  const leaves = T.entries_jcs.map((e) => tlogLeafHash(utf8(e)));

  it("leaf hashes of JCS(receipt)", () => {
    expect(leaves.map(toBase64)).toEqual(T.leaf_hashes_b64);
  });

  it("checkpoint bodies: roots of each prefix", () => {
    for (const c of T.checkpoints) {
      const root = rootOfLeafHashes(leaves.slice(0, c.size));
      expect(checkpointBody({ origin: T.origin, size: c.size, root })).toBe(c.body);
      expect(parseCheckpoint(c.body)).toEqual({ origin: T.origin, size: c.size, root });
    }
  });

  it("consistency proofs, and they verify; tampered ones do not", () => {
    for (const c of T.consistency) {
      const proof = consistencyProofOf(leaves, c.from, c.to);
      expect(proof.map(toBase64)).toEqual(c.proof_b64);
      const oldRoot = rootOfLeafHashes(leaves.slice(0, c.from));
      const newRoot = rootOfLeafHashes(leaves.slice(0, c.to));
      expect(verifyTlogConsistency(c.from, c.to, oldRoot, newRoot, proof)).toBe(true);
      expect(verifyTlogConsistency(c.from, c.to, newRoot, oldRoot, proof)).toBe(false);
      expect(verifyTlogConsistency(c.from, c.to, oldRoot, newRoot, proof.slice(1))).toBe(false);
    }
  });

  it("inclusion proofs of every entry verify against every later checkpoint", () => {
    for (const c of T.checkpoints) {
      const root = b64(c.body.split("\n")[2]);
      for (let i = 0; i < c.size; i++) {
        const proof = inclusionProofOf(leaves.slice(0, c.size), i);
        expect(verifyTlogInclusion(leaves[i], i, c.size, proof, root)).toBe(true);
        expect(verifyTlogInclusion(leaves[(i + 1) % 3], i, c.size, proof, root)).toBe(false);
      }
    }
  });
});

describe.each(["webcrypto", "noble"] as const)("1.1 tlog: signed notes (%s)", (backend) => {
  beforeAll(() => setEd25519Backend(backend));
  afterAll(() => setEd25519Backend("auto"));

  it("signs each checkpoint exactly as the vectors, and verifies it", async () => {
    const notary = await signerFromHex(vectors.keys.notary_seed);
    for (const c of T.checkpoints) {
      expect(await signNoteEd25519(c.body, T.origin, notary)).toBe(c.note);
      const note = await openNoteEd25519(c.note, T.vkey);
      expect(note.body).toBe(c.body);
      expect(note.signatures).toHaveLength(1);
    }
  });

  it("signs each checkpoint synchronously as the vectors, the key id taken once per key and name", () => {
    const notary = syncSignerFromSeed(fromHex(vectors.keys.notary_seed));
    for (let round = 0; round < 2; round++) {
      for (const c of T.checkpoints) expect(formatNote(c.body, [signEd25519LineSync(c.body, T.origin, notary)])).toBe(c.note);
    }
    // Another name under the same key: its own key id (the name is hashed into it), not the cached one.
    const other = signEd25519LineSync(T.checkpoints[0].body, "example.com/other", notary);
    expect(parseNote(formatNote(T.checkpoints[0].body, [other])).signatures[0].keyId).toEqual(parseVkey(encodeVkey("example.com/other", ALG_ED25519, notary.publicKey)).keyId);
    expect(other).not.toBe(T.checkpoints[0].note.slice(T.checkpoints[0].body.length + 1));
  });

  it("refuses a changed body, a changed signature and another key", async () => {
    const c = T.checkpoints[2];
    const changed = c.note.replace("\n3\n", "\n4\n");
    expect(await verifyNoteEd25519(parseNote(changed), T.vkey)).toBe(false);
    const sigLine = c.note.split("\n").at(-2)!;
    const flipped = sigLine.slice(0, -6) + (sigLine.at(-6) === "A" ? "B" : "A") + sigLine.slice(-5);
    expect(await verifyNoteEd25519(parseNote(c.note.replace(sigLine, flipped)), T.vkey)).toBe(false);
    const other = await signerFromHex(vectors.keys.witness_seed);
    expect(await verifyNoteEd25519(parseNote(c.note), encodeVkey(T.origin, ALG_ED25519, other.publicKey))).toBe(false);
    await expect(openNoteEd25519(changed, T.vkey)).rejects.toThrow(/no valid signature/);
  });

  it("parses notes with the cosignature line of the vectors too", () => {
    const n = parseNote(vectors.cosignature.cosigned_note);
    expect(n.body).toBe(T.checkpoints[2].body);
    expect(n.signatures.map((s) => s.name)).toEqual([T.origin, vectors.cosignature.witness_name]);
  });

  it("rejects malformed notes", () => {
    const body = T.checkpoints[0].body;
    expect(() => parseNote(body)).toThrow();
    expect(() => parseNote(body + "\n- x AAAAAAAA\n")).toThrow(/U\+2014/);
    expect(() => parseNote(body + "\n\u2014 x AAAAAAAA")).toThrow(/newline/);
    expect(() => parseCheckpoint("o\n01\n" + T.leaf_hashes_b64[0] + "\n")).toThrow(/decimal/);
    expect(() => parseCheckpoint("o\n1\nAAAA\n")).toThrow(/32 bytes/);
  });
});

describe("1.1 tlog: tiles", () => {
  it("tile index paths", () => {
    for (const [n, p] of Object.entries(T.tile_paths)) {
      expect(formatTileIndex(Number(n))).toBe(p);
      expect(parseTilePath(`tile/0/${p}`)).toEqual({ level: 0, index: Number(n), width: 256 });
    }
    expect(tilePath({ level: 0, index: 0, width: 3 })).toBe(T.level0_tile_path);
    expect(parseTilePath(T.level0_tile_path)).toEqual({ level: 0, index: 0, width: 3 });
    expect(tilePath({ level: -1, index: 1234067, width: 7 })).toBe("tile/entries/x001/x234/067.p/7");
    for (const bad of ["tile/0/x000/001", "tile/0/1", "tile/0/001.p/256", "tile/0/001.p/0", "tile/0/001.p/01", "tile/64/000", "tile/00/000", "tile/0/001/"])
      expect(() => parseTilePath(bad), bad).toThrow();
  });

  it("entry bundle and level-0 tile of the three entries", async () => {
    const entries = T.entries_jcs.map(utf8);
    expect(toBase64(encodeEntryBundle(entries))).toBe(T.entry_bundle_b64);
    expect(decodeEntryBundle(b64(T.entry_bundle_b64)).map(fromUtf8)).toEqual(T.entries_jcs);
    const leaves = T.leaf_hashes_b64.map(b64);
    const read: HashReader = (level, index) => {
      if (level !== 0) throw new Error("level 0 only");
      return leaves[index];
    };
    expect(toBase64(await buildHashTile({ level: 0, index: 0, width: 3 }, read))).toBe(T.level0_tile_b64);
    // The same proofs from the tile as from the list.
    const tiles = tileHashReader(3, async (path) => {
      expect(path).toBe(T.level0_tile_path);
      return b64(T.level0_tile_b64);
    });
    expect(toBase64(await treeRoot(3, tiles))).toBe(T.checkpoints[2].body.split("\n")[2]);
    expect((await proveConsistency(1, 3, tiles)).map(toBase64)).toEqual(T.consistency[0].proof_b64);
    expect(await proveInclusion(2, 3, tiles)).toEqual(inclusionProofOf(leaves, 2));
  });
});

describe("tlog: stored hashes and tiles at larger sizes", () => {
  // A deterministic log of 65_600 leaves crosses two tile levels (256 and 65_536).
  const N = 65_600;
  const leaves = Array.from({ length: N }, (_, i) => tlogLeafHash(utf8(`entry ${i}`)));
  const store = new Map<string, Uint8Array>();
  const read: HashReader = (l, i) => store.get(`${l}/${i}`)!;

  it("appending builds the stored hashes; root, proofs match the in-memory tree", async () => {
    for (let i = 0; i < N; i++) for (const h of await hashesForAppend(i, leaves[i], read)) store.set(`${h.level}/${h.index}`, h.hash);
    for (const n of [1, 2, 3, 255, 256, 257, 1000, 65_536, N]) {
      const root = await treeRoot(n, read);
      // The in-memory tree rehashes everything: compared at small sizes and the largest.
      if (n <= 1000 || n === N) expect(root).toEqual(rootOfLeafHashes(leaves.slice(0, n)));
      for (const m of [1, 7, 256, 1000, 65_536].filter((m) => m < n)) {
        const proof = await proveConsistency(m, n, read);
        expect(verifyTlogConsistency(m, n, await treeRoot(m, read), root, proof)).toBe(true);
      }
      for (const i of [0, n - 1, Math.floor(n / 3)]) {
        expect(verifyTlogInclusion(leaves[i], i, n, await proveInclusion(i, n, read), root)).toBe(true);
      }
    }
  });

  it("a reader over the tiles gives the same hashes (levels between tile levels computed)", async () => {
    const tiles = new Map<string, Uint8Array>();
    const size = N;
    const reader = tileHashReader(size, async (path) => {
      let t = tiles.get(path);
      if (!t) {
        t = await buildHashTile(parseTilePath(path), read);
        tiles.set(path, t);
      }
      return t;
    });
    expect(await treeRoot(size, reader)).toEqual(await treeRoot(size, read));
    const proof = await proveConsistency(65_537, size, reader);
    expect(proof).toEqual(await proveConsistency(65_537, size, read));
    expect(await proveInclusion(1000, size, reader)).toEqual(await proveInclusion(1000, size, read));
    expect(reader.tilesFetched().some((p) => p.startsWith("tile/1/"))).toBe(true);
    expect(reader.tilesFetched().some((p) => p.startsWith("tile/2/"))).toBe(true);
  });
});
