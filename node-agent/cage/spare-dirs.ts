// Container dirs built ahead of time. A new container dir is a dozen new inodes (dirs, config,
// meta, stdio, temp files of the exit path), and on a busy ext4 each costs up to a millisecond
// of journal waiting: on the create→start path that adds up to a good part of a `runc run`. So a
// spare skeleton — the dirs and those files, empty — is built while runc starts the previous
// container, under <dataDir>/spare/, and create() takes it over with a single rename().
//
// A skeleton holds nothing but empty files with the modes the cage would give them: taking one
// over is the same as creating them. It becomes claimable only by rename() of a complete build
// (`.build-*` never is), and a claim is a rename, so two agents never get the same one.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const SPARES = 1;
const STALE_BUILD_MS = 60_000;

/** Relative path and mode (before the umask, as the cage creates them) of each empty file. */
const FILES: readonly [string, number][] = [
  ["bundle/config.json.tmp", 0o666],
  ["meta.json.tmp", 0o666],
  ["stdout", 0o600],
  ["stderr", 0o600],
  ["runc.log", 0o644],
  ["shim.pid", 0o666],
  ["exit_code.tmp", 0o666],
  ["witness.jsonl.tmp", 0o666],
  ["witness.json.tmp", 0o666],
  ["exit.json.tmp", 0o666],
];

export function spareRoot(dataDir: string): string {
  return path.join(dataDir, "spare");
}

/**
 * Moves a spare skeleton to `dir` (which must not exist, or be empty); false when there is
 * none, and then the caller creates the dir itself.
 */
export function claimSpareDir(dataDir: string, dir: string): boolean {
  let names: string[];
  try {
    names = fs.readdirSync(spareRoot(dataDir)).filter((n) => !n.startsWith("."));
  } catch {
    return false;
  }
  if (names.length === 0) return false;
  fs.mkdirSync(path.dirname(dir), { recursive: true, mode: 0o700 });
  for (const name of names) {
    try {
      fs.renameSync(path.join(spareRoot(dataDir), name), dir);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") continue; // another agent took it
      return false; // `dir` exists and is not empty: not ours to replace
    }
  }
  return false;
}

const refilling = new Map<string, Promise<void>>();

async function build(root: string): Promise<void> {
  const names = await fs.promises.readdir(root);
  for (const n of names.filter((x) => x.startsWith(".build-"))) {
    // A build cut short by a crash: never claimable, removed once surely abandoned.
    const st = await fs.promises.stat(path.join(root, n)).catch(() => null);
    if (st && Date.now() - st.mtimeMs > STALE_BUILD_MS) await fs.promises.rm(path.join(root, n), { recursive: true, force: true });
  }
  if (names.filter((n) => !n.startsWith(".")).length >= SPARES) return;
  const nonce = randomBytes(8).toString("hex");
  const staging = path.join(root, `.build-${nonce}`);
  try {
    await fs.promises.mkdir(staging, { mode: 0o700 });
    await fs.promises.mkdir(path.join(staging, "bundle"), { mode: 0o700 });
    for (const [rel, mode] of FILES) await (await fs.promises.open(path.join(staging, rel), "wx", mode)).close();
    await fs.promises.rename(staging, path.join(root, nonce));
  } catch (err) {
    await fs.promises.rm(staging, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Builds a spare skeleton if none is ready (one build at a time per dataDir). Never fails: the
 * spares are only an optimisation, create() makes the dirs itself when there is none.
 */
export function refillSpareDirs(dataDir: string): Promise<void> {
  const root = spareRoot(dataDir);
  const pending = refilling.get(root);
  if (pending) return pending;
  const p = fs.promises
    .mkdir(root, { recursive: true, mode: 0o700 })
    .then(() => build(root))
    .catch(() => undefined)
    .finally(() => refilling.delete(root));
  refilling.set(root, p);
  return p;
}
