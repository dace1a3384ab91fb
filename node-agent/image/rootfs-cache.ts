// Assembled root filesystems shared by the containers of one image. The rootfs is mounted
// read-only in every cage, so one tree per image manifest is enough:
//
//   <dataDir>/rootfs/<manifest digest>/<variant>@<range base>/tree
//
// Every tree is shifted into the node's id range (rootfs-shift.ts) before it appears, so it is
// owned by the user namespace's root, never by the host's.
//
// `base` is the image's layers stacked as assembleRootfs does. runc creates a missing mount point
// (and the working directory) inside the root before it remounts it read-only, which would write
// into the shared tree; so a container whose mount points are not all present gets a variant: the
// base plus exactly those empty directories (root, 0755: what runc would have made), keyed by
// their list. A variant appears only by rename() of a completely built staging dir, so a crash
// never leaves a half tree that looks complete; nothing writes into a tree afterwards. Only
// verified content reaches it: the manifest names the layers, every layer was checked against
// its digest and diff_id before it entered the layer cache.
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { parseDigest } from "./digest.ts";
import { ImageError } from "./errors.ts";
import { letRangeReach, type IdRange } from "./id-range.ts";
import { assembleRootfs } from "./rootfs.ts";
import { shiftTree } from "./rootfs-shift.ts";

const inFlight = new Map<string, Promise<string>>();

/** <dataDir>/rootfs/<manifest digest>: every assembled variant of one image. */
export function rootfsCacheDir(dataDir: string, manifestDigest: string): string {
  parseDigest(manifestDigest); // validated: no path traversal through the digest
  return path.join(path.resolve(dataDir), "rootfs", manifestDigest);
}

/** Absolute container paths, normalized, deduplicated, sorted; "/" and relative paths are dropped. */
function normalizeDirs(dirs: readonly string[]): string[] {
  const out = new Set<string>();
  for (const d of dirs) {
    if (!d.startsWith("/") || d.includes("\0")) continue;
    const p = path.posix.normalize(d).replace(/\/+$/, "");
    if (p === "" || p.split("/").includes("..")) continue;
    out.add(p);
  }
  return [...out].sort();
}

/**
 * Which of `dirs` (absolute container paths) are missing from `tree`: [] when all are real
 * directories, null when some component is a symlink or not a directory (runc would resolve or
 * replace it: no shared tree can stand in for that).
 */
export function missingDirs(tree: string, dirs: readonly string[]): string[] | null {
  const missing: string[] = [];
  for (const dir of normalizeDirs(dirs)) {
    let p = tree;
    for (const part of dir.split("/").slice(1)) {
      p = path.join(p, part);
      const st = fs.lstatSync(p, { throwIfNoEntry: false });
      if (!st) {
        missing.push(dir);
        break;
      }
      if (!st.isDirectory()) return null;
    }
  }
  return missing;
}

function variantKey(extra: readonly string[], range: IdRange): string {
  const key = extra.length === 0 ? "base" : createHash("sha256").update(extra.join("\0")).digest("hex").slice(0, 32);
  return `${key}@${range.base}`;
}

async function build(cacheDir: string, final: string, layers: readonly string[], extra: readonly string[], range: IdRange): Promise<string> {
  const tree = path.join(final, "tree");
  if (fs.existsSync(tree)) return tree;
  await fs.promises.mkdir(cacheDir, { recursive: true, mode: 0o700 });
  const staging = path.join(cacheDir, `.staging-${randomBytes(6).toString("hex")}`);
  try {
    await fs.promises.mkdir(staging, { mode: 0o700 });
    const stagedTree = await assembleRootfs(layers, path.join(staging, "tree"));
    const missing = missingDirs(stagedTree, extra);
    if (missing === null) throw new ImageError("unpack", `cannot add mount points ${extra.join(", ")}: a path component is not a directory`);
    for (const dir of missing) {
      // Components exist as real directories up to the first missing one (missingDirs said so).
      let p = stagedTree;
      for (const part of dir.split("/").slice(1)) {
        p = path.join(p, part);
        if (!fs.existsSync(p)) fs.mkdirSync(p, { mode: 0o755 });
      }
    }
    await shiftTree(stagedTree, range);
    try {
      await fs.promises.rename(staging, final);
    } catch (err) {
      // Another process won the rename: same manifest, same layers, same tree.
      if (!["ENOTEMPTY", "EEXIST"].includes((err as NodeJS.ErrnoException).code ?? "")) throw err;
    }
    return tree;
  } finally {
    await fs.promises.rm(staging, { recursive: true, force: true });
  }
}

/**
 * The shared, read-only-use rootfs of the image `manifestDigest` (layers = its verified layer
 * trees, lowest first) in which every path of `mountpoints` is a real directory; undefined when
 * the image makes that impossible (a mount point through a symlink or a file), in which case the
 * caller assembles a private rootfs. Never write into the returned tree.
 */
export async function sharedRootfs(dataDir: string, manifestDigest: string, layers: readonly string[], range: IdRange, mountpoints: readonly string[] = []): Promise<string | undefined> {
  const cacheDir = rootfsCacheDir(dataDir, manifestDigest);
  const ensure = async (extra: readonly string[]): Promise<string> => {
    const tree = await ensureTree(extra);
    letRangeReach(dataDir, tree, range);
    return tree;
  };
  const ensureTree = (extra: readonly string[]): Promise<string> => {
    const final = path.join(cacheDir, variantKey(extra, range));
    const tree = path.join(final, "tree");
    if (fs.existsSync(tree)) return Promise.resolve(tree);
    let p = inFlight.get(final);
    if (!p) {
      p = build(cacheDir, final, layers, extra, range).finally(() => inFlight.delete(final));
      inFlight.set(final, p);
    }
    return p;
  };
  const base = await ensure([]);
  const missing = missingDirs(base, mountpoints);
  if (missing === null) return undefined;
  if (missing.length === 0) return base;
  const variant = await ensure(missing);
  return missingDirs(variant, mountpoints)?.length === 0 ? variant : undefined;
}
