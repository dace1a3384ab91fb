import { canonicalize } from "../../protocol/jcs.ts";
import { concatBytes, utf8 } from "../../protocol/bytes.ts";
import { checkpointBody, parseCheckpoint, rootToText } from "../../protocol/c2sp/checkpoint.ts";
import { ALG_ED25519, encodeVkey, formatNote, signEd25519LineSync } from "../../protocol/c2sp/note.ts";
import { TILE_HEIGHT, TILE_WIDTH, TileError, encodeEntryBundle, parseTilePath, tileWidth, type Tile } from "../../protocol/c2sp/tiles.ts";
import { reject } from "../../domain/result.ts";
import { TLOG_EMPTY_ROOT, tlogLeafHash, tlogNodeHash, treeRootSync, proveInclusionSync, proveConsistencySync } from "../../protocol/c2sp/tlog.ts";
import type { SyncSigner } from "./sync-signer.ts";
import { createHash } from "node:crypto";
import { setTlogSha256 } from "../../protocol/c2sp/tlog.ts";

// workerd's node:crypto hashes natively and synchronously (inside the sealing transaction): a
// 100-receipt seal spent 10 ms in noble's SHA-256 (docs/PERFORMANCE.md). Checked against noble
// on installation; noble stays where node:crypto cannot.
setTlogSha256((...parts) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
});

export interface TlogHead {
  size: number;
  /** "sha256:<hex>", as a LogBlock's `tlog` binds it */
  root: string;
  note: string;
}

/** The leaf of a log entry: entries are JCS of the signed object (receipt or audit entry). */
export function entryBytes(storedJson: string): Uint8Array {
  return utf8(canonicalize(JSON.parse(storedJson)));
}

/**
 * A DO's C2SP log over its own SQLite (tables in tlog-schema.ts). Stored there rather than R2:
 * the hashes are written in the same synchronous transaction as the seal or audit entry that
 * adds them (no window where a block names a root the tiles cannot prove), a full tile is 256
 * rows of one primary-key range read, and the DO is the single writer already. Entries are not
 * copied: the owner passes a reader over its own rows (receipts, audit entries).
 */
export class TlogStore {
  constructor(
    private readonly sql: SqlStorage,
    /** Entries [from, from + count) as stored JSON text, in log order. */
    private readonly entries: (from: number, count: number) => string[],
  ) {}

  readonly read = (level: number, index: number): Uint8Array => {
    const row = this.sql.exec<{ hash: ArrayBuffer }>("SELECT hash FROM tlog_hashes WHERE level = ? AND idx = ?", level, index).toArray()[0];
    if (!row) throw new Error(`tlog hash ${level}/${index} missing`);
    return new Uint8Array(row.hash);
  };

  size(): number {
    return this.sql.exec<{ n: number | null }>("SELECT MAX(idx) + 1 AS n FROM tlog_hashes WHERE level = 0").one().n ?? 0;
  }

  /** Appends entries (stored JSON of each, in log order); call inside the owner's transaction. */
  append(storedJson: readonly string[]): number {
    return this.appendLeaves(storedJson.map(entryBytes)).size;
  }

  /**
   * The tree's right edge at `size`: for each set bit `level` of size, the complete subtree
   * hash (level, ⌊size / 2^level⌋ − 1), read in one statement. Appending needs no other stored
   * hash, and the root is these folded right to left (RFC 9162 §2.1.1), so neither reads more.
   */
  private edge(size: number): (Uint8Array | undefined)[] {
    const places: [number, number][] = [];
    for (let level = 0, k = size; k > 0; level++, k = Math.floor(k / 2)) if (k % 2 === 1) places.push([level, k - 1]);
    const edge: (Uint8Array | undefined)[] = [];
    if (places.length === 0) return edge;
    for (const row of this.sql.exec<{ level: number; hash: ArrayBuffer }>(
      "SELECT h.level AS level, h.hash AS hash FROM json_each(?) AS p JOIN tlog_hashes AS h ON h.level = p.value->>0 AND h.idx = p.value->>1",
      JSON.stringify(places),
    )) {
      edge[row.level] = new Uint8Array(row.hash);
    }
    for (const [level, index] of places) if (!edge[level]) throw new Error(`tlog hash ${level}/${index} missing`);
    return edge;
  }

  /**
   * Appends entries given as their leaf bytes (entryBytes of each), in log order; answers the new
   * size and root. The stored hashes are hashesForAppend's (protocol/c2sp/tlog.ts), computed from the right edge in
   * memory (a read per left sibling and again per root hash was most of a seal's log time).
   */
  appendLeaves(entries: readonly Uint8Array[]): { size: number; root: Uint8Array } {
    return this.appendLeafHashes(entries.map(tlogLeafHash));
  }

  /** appendLeaves for entries whose leaf hashes (SHA-256(0x00 ‖ entry)) were taken before. */
  appendLeafHashes(leaves: readonly Uint8Array[]): { size: number; root: Uint8Array } {
    let n = this.size();
    const edge = this.edge(n);
    // One INSERT for all of them (a statement per hash was 200 a block): their places in a JSON
    // array, the hashes side by side in one blob, hash k at byte 32k (no hex text either way).
    const places: [number, number][] = [];
    const hashes: Uint8Array[] = [];
    for (const leaf of leaves) {
      let h = leaf;
      let index = n;
      let level = 0;
      places.push([0, index]);
      hashes.push(h);
      // While the new subtree is a right child, its left sibling is on the edge: combine.
      while (index % 2 === 1) {
        h = tlogNodeHash(edge[level]!, h);
        edge[level] = undefined;
        index = (index - 1) / 2;
        level++;
        places.push([level, index]);
        hashes.push(h);
      }
      edge[level] = h;
      n++;
    }
    if (places.length) {
      this.sql.exec(
        "INSERT INTO tlog_hashes (level, idx, hash) SELECT value->>0, value->>1, substr(?, key * 32 + 1, 32) FROM json_each(?)",
        concatBytes(...hashes).buffer,
        JSON.stringify(places),
      );
    }
    // The root only when read (a checkpoint reads it): the audit log appends an entry at a time
    // and never does, and folding the edge is up to one SHA-256 per level.
    let root: Uint8Array | undefined;
    return {
      size: n,
      get root() {
        return (root ??= rootOfEdge(edge));
      },
    };
  }

  root(size = this.size()): Uint8Array {
    return treeRootSync(size, this.read);
  }

  /**
   * Signs a checkpoint of the current tree unless the newest one already has its size. `tree`:
   * the size and root appendLeaves just answered in this transaction, so nothing is read back.
   */
  checkpoint(origin: string, signer: SyncSigner, tree?: { size: number; root: Uint8Array }): TlogHead {
    // A tree that just grew has no checkpoint at its size yet (checkpoints only name reached sizes).
    const fresh = tree && tree.size > 0 && tree.size === this.size() ? tree : undefined;
    const size = fresh ? fresh.size : this.size();
    if (!fresh) {
      const last = this.latest();
      if (last && last.size === size) return last;
    }
    const root = fresh ? fresh.root : this.root(size);
    const body = checkpointBody({ origin, size, root });
    const note = formatNote(body, [signEd25519LineSync(body, origin, signer)]);
    this.sql.exec("INSERT INTO tlog_checkpoints (size, note, signed_at) VALUES (?, ?, ?) ON CONFLICT (size) DO NOTHING", size, note, Date.now());
    return { size, root: rootToText(root), note };
  }

  latest(): TlogHead | null {
    const row = this.sql.exec<{ size: number; note: string }>("SELECT size, note FROM tlog_checkpoints ORDER BY size DESC LIMIT 1").toArray()[0];
    if (!row) return null;
    const c = parseCheckpoint(row.note.slice(0, row.note.indexOf("\n\n") + 1));
    return { size: row.size, root: rootToText(c.root), note: row.note };
  }

  /**
   * A tile's bytes, or null when the tree (at its newest checkpoint, so nothing unsigned is
   * served) does not reach it at that width. `full` tiles never change.
   */
  /** A tile by its C2SP path (`tile/…`): a 404 problem naming `path` for a malformed one or one beyond the newest checkpoint. */
  tileAt(path: string): { bytes: Uint8Array; full: boolean } {
    let t: Tile;
    try {
      t = parseTilePath(path);
    } catch (e) {
      if (e instanceof TileError) reject(404, e.message, { field: "path" });
      throw e;
    }
    return this.tile(t) ?? reject(404, `${path} is beyond the log's newest checkpoint`, { field: "path" });
  }

  tile(t: Tile): { bytes: Uint8Array; full: boolean } | null {
    const size = this.latest()?.size ?? 0;
    if (t.width > tileWidth(t.level, t.index, size)) return null;
    const first = t.index * TILE_WIDTH;
    if (t.level === -1) return { bytes: encodeEntryBundle(this.entries(first, t.width).map(entryBytes)), full: t.width === TILE_WIDTH };
    const rows = this.sql
      .exec<{ hash: ArrayBuffer }>(
        "SELECT hash FROM tlog_hashes WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx",
        t.level * TILE_HEIGHT,
        first,
        first + t.width,
      )
      .toArray();
    if (rows.length !== t.width) return null;
    const out = new Uint8Array(t.width * 32);
    rows.forEach((r, i) => out.set(new Uint8Array(r.hash), i * 32));
    return { bytes: out, full: t.width === TILE_WIDTH };
  }

  inclusion(index: number, size: number): Uint8Array[] {
    return proveInclusionSync(index, size, this.read);
  }

  consistency(m: number, n: number): Uint8Array[] {
    return proveConsistencySync(m, n, this.read);
  }
}

/** RFC 9162 root from a right edge (edge[level] per set bit of the size): fold from the lowest level up. */
function rootOfEdge(edge: readonly (Uint8Array | undefined)[]): Uint8Array {
  let r: Uint8Array | undefined;
  for (const h of edge) if (h) r = r ? tlogNodeHash(h, r) : h;
  return r ?? TLOG_EMPTY_ROOT;
}

/** The log's vkey for `origin` signed by `publicKey` (Ed25519). */
export function logVkey(origin: string, publicKey: Uint8Array): string {
  return encodeVkey(origin, ALG_ED25519, publicKey);
}
