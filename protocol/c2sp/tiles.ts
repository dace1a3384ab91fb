// C2SP tlog-tiles (https://c2sp.org/tlog-tiles): tile paths, entry bundles, and reading a tree's
// hashes from tiles. Tile height 8: a full tile holds 256 hashes of tree level 8·L.
import { concatBytes } from "../bytes.ts";
import { HASH_SIZE, tlogNodeHash, type HashReader } from "./tlog.ts";

export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;

/** A tile: `level` ≥ 0 for hash tiles, -1 for an entry bundle (`tile/entries/…`). */
export interface Tile {
  level: number;
  index: number;
  /** 1…256; 256 is a full tile (no `.p/<W>` in its path). */
  width: number;
}

export class TileError extends Error {
  override name = "TileError";
}

/** `1234067` → `x001/x234/067`: groups of three digits, all but the last prefixed `x`. */
export function formatTileIndex(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new TileError(`tile index ${n} invalid`);
  const groups: string[] = [];
  do {
    groups.unshift(String(n % 1000).padStart(3, "0"));
    n = Math.floor(n / 1000);
  } while (n > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? "x" + g : g)).join("/");
}

/** `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`. */
export function tilePath(t: Tile): string {
  if (!Number.isSafeInteger(t.level) || t.level < -1 || t.level > 63) throw new TileError(`tile level ${t.level} invalid`);
  if (!Number.isSafeInteger(t.width) || t.width < 1 || t.width > TILE_WIDTH) throw new TileError(`tile width ${t.width} invalid`);
  const l = t.level === -1 ? "entries" : String(t.level);
  const p = t.width === TILE_WIDTH ? "" : `.p/${t.width}`;
  return `tile/${l}/${formatTileIndex(t.index)}${p}`;
}

/**
 * Parses a tile path (with or without the leading `tile/`); only the canonical form is accepted,
 * so each tile has exactly one name (caches and signatures rely on it).
 */
export function parseTilePath(path: string): Tile {
  const rest = path.startsWith("tile/") ? path.slice(5) : path;
  const m = /^(entries|0|[1-9][0-9]?)\/((?:x[0-9]{3}\/)*[0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/.exec(rest);
  if (!m) throw new TileError(`not a tile path: ${JSON.stringify(path.slice(0, 100))}`);
  const level = m[1] === "entries" ? -1 : Number(m[1]);
  const index = Number(m[2].replace(/x/g, "").replace(/\//g, ""));
  const width = m[3] === undefined ? TILE_WIDTH : Number(m[3]);
  if (!Number.isSafeInteger(index)) throw new TileError("tile index too large");
  if (width > TILE_WIDTH || (m[3] !== undefined && width === TILE_WIDTH) || level > 63) throw new TileError(`tile width or level out of range in ${path}`);
  const t = { level, index, width };
  // x000 prefixes (leading zero groups) are not canonical.
  if (tilePath(t) !== (path.startsWith("tile/") ? path : "tile/" + path)) throw new TileError(`non-canonical tile path ${path}`);
  return t;
}

/** How many hashes tree level `8·tileLevel` has in a tree of `treeSize` leaves. */
function hashesAtTileLevel(tileLevel: number, treeSize: number): number {
  return Math.floor(treeSize / 2 ** (TILE_HEIGHT * tileLevel));
}

/**
 * The width tile (level, index) has in a tree of `treeSize` (entries: level -1, same as level 0),
 * or 0 when the tree does not reach it.
 */
export function tileWidth(level: number, index: number, treeSize: number): number {
  const count = hashesAtTileLevel(Math.max(level, 0), treeSize);
  return Math.max(0, Math.min(TILE_WIDTH, count - index * TILE_WIDTH));
}

/** Every tile (hash tiles of each level, then entry bundles) of a tree of `treeSize`. */
export function tilesForSize(treeSize: number): Tile[] {
  const out: Tile[] = [];
  for (let level = 0; hashesAtTileLevel(level, treeSize) > 0; level++) {
    const count = hashesAtTileLevel(level, treeSize);
    for (let index = 0; index * TILE_WIDTH < count; index++) out.push({ level, index, width: tileWidth(level, index, treeSize) });
  }
  for (let index = 0; index * TILE_WIDTH < treeSize; index++) out.push({ level: -1, index, width: tileWidth(-1, index, treeSize) });
  return out;
}

/** A hash tile's bytes: the `width` hashes of tree level 8·level starting at index·256. */
export async function buildHashTile(t: Tile, read: HashReader): Promise<Uint8Array> {
  if (t.level < 0) throw new TileError("entry bundles are not hash tiles");
  const parts: Uint8Array[] = [];
  for (let j = 0; j < t.width; j++) parts.push(await read(TILE_HEIGHT * t.level, t.index * TILE_WIDTH + j));
  return concatBytes(...parts);
}

/** Each entry prefixed by its length as a big-endian uint16. */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    if (e.length > 0xffff) throw new TileError(`entry of ${e.length} bytes exceeds 65535`);
    parts.push(Uint8Array.of(e.length >> 8, e.length & 0xff), e);
  }
  return concatBytes(...parts);
}

export function decodeEntryBundle(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let off = 0;
  while (off < bytes.length) {
    if (off + 2 > bytes.length) throw new TileError("entry bundle: truncated length");
    const len = (bytes[off] << 8) | bytes[off + 1];
    off += 2;
    if (off + len > bytes.length) throw new TileError("entry bundle: truncated entry");
    out.push(bytes.slice(off, off + len));
    off += len;
  }
  return out;
}

/** Splits a hash tile into its 32-byte hashes. */
export function tileHashes(bytes: Uint8Array): Uint8Array[] {
  if (bytes.length % HASH_SIZE !== 0) throw new TileError(`tile of ${bytes.length} bytes is not a list of hashes`);
  const out: Uint8Array[] = [];
  for (let off = 0; off < bytes.length; off += HASH_SIZE) out.push(bytes.slice(off, off + HASH_SIZE));
  return out;
}

/** Fetches a tile's bytes (by its path); a verifier passes an HTTP GET, a test a map. */
export type TileFetcher = (path: string) => Promise<Uint8Array>;

/**
 * A HashReader over the tiles of a tree of `treeSize` (Go's tlog.TileHashReader without its own
 * verification: every proof built from it is verified against a signed root anyway). Hashes at
 * levels between tile levels are computed from the tile below. Tiles are cached per reader.
 */
export function tileHashReader(treeSize: number, fetch: TileFetcher): HashReader & { tilesFetched: () => string[] } {
  const cache = new Map<string, Promise<Uint8Array[]>>();
  const tile = (t: Tile): Promise<Uint8Array[]> => {
    const path = tilePath(t);
    let p = cache.get(path);
    if (!p) {
      p = fetch(path).then((bytes) => {
        const hs = tileHashes(bytes);
        if (hs.length !== t.width) throw new TileError(`${path}: ${hs.length} hashes, expected ${t.width}`);
        return hs;
      });
      cache.set(path, p);
    }
    return p;
  };
  const read = async (level: number, index: number): Promise<Uint8Array> => {
    const tileLevel = Math.floor(level / TILE_HEIGHT);
    const sub = level % TILE_HEIGHT;
    const span = 2 ** sub;
    const start = index * span; // at tree level 8·tileLevel
    const tileIndex = Math.floor(start / TILE_WIDTH);
    const width = tileWidth(tileLevel, tileIndex, treeSize);
    const first = start - tileIndex * TILE_WIDTH;
    if (width < first + span) throw new TileError(`hash ${level}/${index} is not in a tree of ${treeSize}`);
    let row = (await tile({ level: tileLevel, index: tileIndex, width })).slice(first, first + span);
    while (row.length > 1) {
      const next: Uint8Array[] = [];
      for (let i = 0; i < row.length; i += 2) next.push(tlogNodeHash(row[i], row[i + 1]));
      row = next;
    }
    return row[0];
  };
  return Object.assign(read, { tilesFetched: () => [...cache.keys()] });
}
