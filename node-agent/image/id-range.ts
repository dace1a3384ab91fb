// The node's range of host uids/gids for containers: container id n runs as host id base+n, so
// container root is an unprivileged nobody on the host. Chosen once per data dir (random, so two
// agents on one host almost never share a range) and kept in <dataDir>/userns.json.
import { randomInt } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export interface IdRange {
  /** host id of container id 0 */
  base: number;
  /** ids mapped: container ids 0 .. size-1 */
  size: number;
}

export const ID_RANGE_SIZE = 65536;
const STEP = 100_000;
// k = 1 is where distributions start /etc/subuid ranges; k stays below 2^32 - 2 with room for the range.
const MIN_K = 10;
const MAX_K = Math.floor((0xfffffffe - ID_RANGE_SIZE) / STEP);

function valid(r: unknown): r is IdRange {
  const o = r as IdRange;
  return Number.isSafeInteger(o?.base) && o.base >= STEP && o.size === ID_RANGE_SIZE && o.base + o.size <= 0xfffffffe;
}

export function idRangeFile(dataDir: string): string {
  return path.join(path.resolve(dataDir), "userns.json");
}

/** The data dir's range, chosen and stored on first use. */
export function nodeIdRange(dataDir: string): IdRange {
  const file = idRangeFile(dataDir);
  const read = (): IdRange | undefined => {
    try {
      const r = JSON.parse(fs.readFileSync(file, "utf8")) as unknown;
      if (!valid(r)) throw new Error(`${file} does not hold a valid id range`);
      return { base: r.base, size: r.size };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
  };
  const existing = read();
  if (existing) return existing;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const chosen: IdRange = { base: STEP * randomInt(MIN_K, MAX_K + 1), size: ID_RANGE_SIZE };
  const tmp = `${file}.${process.pid}.${randomInt(1 << 30)}`;
  fs.writeFileSync(tmp, JSON.stringify(chosen) + "\n", { mode: 0o644 });
  try {
    fs.linkSync(tmp, file); // never replaces a range another process chose first
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return read()!;
}

/** Host id for container id `n`; ids outside the range become the range's nobody (65534). */
export function hostId(range: IdRange, n: number): number {
  return range.base + (n >= 0 && n < range.size ? n : 65534);
}

/**
 * runc mounts the root filesystem from inside the user namespace, as the range's root: every
 * directory on the way to `target` must be searchable by it. Inside the data dir the directories
 * get the range's root group and g+x (nothing more); above it, o+x is added where missing.
 */
export function letRangeReach(dataDir: string, target: string, range: IdRange): void {
  const root = path.resolve(dataDir);
  const abs = path.resolve(target);
  if (!abs.startsWith(root + path.sep)) throw new Error(`${target} is not inside ${root}`);
  for (let d = path.dirname(root); ; d = path.dirname(d)) {
    const st = fs.statSync(d);
    if ((st.mode & 0o001) === 0) fs.chmodSync(d, (st.mode & 0o7777) | 0o001);
    if (d === path.dirname(d)) break;
  }
  let p = root;
  for (const part of ["", ...path.relative(root, path.dirname(abs)).split(path.sep).filter(Boolean)]) {
    p = path.join(p, part);
    const st = fs.lstatSync(p);
    if (!st.isDirectory()) throw new Error(`${p} is not a directory`);
    if (st.gid === range.base && (st.mode & 0o010) !== 0) continue;
    fs.chownSync(p, st.uid, range.base);
    fs.chmodSync(p, (st.mode & 0o7777) | 0o010);
  }
}
