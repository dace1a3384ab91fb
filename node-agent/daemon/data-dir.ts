// Where the agent keeps everything it must not forget across restarts. The cage and image
// libraries own containers/, runc/, layers/ and tmp/; the daemon owns the rest.
import fs from "node:fs";
import path from "node:path";
import { AgentError } from "../agent-error.ts";

export interface DataDir {
  root: string;
  /** hex Ed25519 seed of the node key, 0600 */
  key: string;
  /** NodeConfig: cluster, url, pinned keys */
  node: string;
  lock: string;
  replicas: string;
  /** what each container was created from (for replay) */
  containerRecords: string;
  chains: string;
  spool: string;
  /** receipts written by other processes (replay) for the daemon to send */
  inbox: string;
  logs: string;
  counter: string;
  /** events not yet accepted by the control plane (event-log.ts) */
  events: string;
}

export function dataDir(root: string): DataDir {
  const r = path.resolve(root);
  const state = path.join(r, "state");
  return {
    root: r,
    key: path.join(r, "node.key"),
    node: path.join(r, "node.json"),
    lock: path.join(r, "agent.pid"),
    replicas: path.join(state, "replicas"),
    containerRecords: path.join(state, "containers"),
    chains: path.join(state, "chains"),
    spool: path.join(r, "spool"),
    inbox: path.join(r, "spool", "inbox"),
    logs: path.join(state, "logs.json"),
    counter: path.join(state, "counter"),
    events: path.join(state, "events.jsonl"),
  };
}

export function ensureLayout(d: DataDir): void {
  for (const dir of [d.root, d.replicas, d.containerRecords, d.chains, d.spool, d.inbox]) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** Write-then-rename with fsync, so a crash leaves the old or the new file, never half of one. */
export function writeJsonAtomic(file: string, value: unknown, mode = 0o600): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, "w", mode);
  try {
    fs.writeSync(fd, JSON.stringify(value) + "\n");
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

export function readJsonFile<T>(file: string): T | null {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new AgentError("state", `${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

/** File-name-safe form of an id (replica and container ids are already [A-Za-z0-9_.-]). */
export function fileName(id: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/.test(id)) throw new AgentError("state", `unusable id ${JSON.stringify(id)}`);
  return `${id}.json`;
}

export function listJson<T>(dir: string): T[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((n) => n.endsWith(".json"))
    .sort()
    .flatMap((n) => {
      const v = readJsonFile<T>(path.join(dir, n));
      return v ? [v] : [];
    });
}

/** A node-wide counter that never repeats, even across crashes: container ids use it. */
export function nextCounter(d: DataDir): number {
  const cur = Number(fs.existsSync(d.counter) ? fs.readFileSync(d.counter, "utf8").trim() : 0) || 0;
  const next = cur + 1;
  writeJsonAtomic(d.counter, next);
  return next;
}
