// `enc exec` orders, held in the ClusterDO's memory only: an exec is a short, interactive act
// whose record of note is its audit entry (ReplicaExec, written with the request). If the DO is
// evicted while one waits, the user's long-poll ends without a result and they run it again.
import { randomBytes, toHex } from "../../protocol/bytes.ts";
import { toIso } from "../../protocol/time.ts";
import type { ExecRequest, ExecOutcome, ExecView } from "../../protocol/api/exec.ts";
import type { DesiredStateFields } from "../../protocol/desired-state.ts";

/** How long an order waits for its node to pick it up before it is dropped. */
export const EXEC_PICKUP_MS = 30_000;
/** Finished execs stay readable this long. */
const KEEP_DONE_MS = 10 * 60_000;

interface Entry {
  view: ExecView;
  stdin?: string;
  timeout_s: number;
  cols?: number;
  rows?: number;
  /** after this the order is answered "no answer" (pickup window + the command's own timeout) */
  answerBy: number;
  waiters: Set<() => void>;
}

export type ExecOrderFields = NonNullable<DesiredStateFields["execs"]>[number];

export class ExecQueue {
  private readonly entries = new Map<string, Entry>();

  add(req: ExecRequest, node: string, actor: string, now: number): ExecView {
    this.prune(now);
    const id = "ex-" + toHex(randomBytes(8));
    const view: ExecView = {
      id,
      replica: req.replica,
      node,
      command: req.command,
      status: "queued",
      tty: req.tty,
      requested_by: actor,
      requested_at: toIso(now),
      expires_at: toIso(now + EXEC_PICKUP_MS),
      finished_at: null,
      result: null,
    };
    this.entries.set(id, { view, stdin: req.stdin, timeout_s: req.timeout_s, cols: req.cols, rows: req.rows, answerBy: now + EXEC_PICKUP_MS + req.timeout_s * 1000 + 10_000, waiters: new Set() });
    return view;
  }

  get(id: string, now: number): ExecView | undefined {
    const e = this.entries.get(id);
    if (e && e.view.status === "queued" && now > e.answerBy) {
      this.finish(e, { exit_code: null, stdout: "", stderr: "", truncated: false, error: `node ${e.view.node} did not answer in time` }, now);
    }
    return e?.view;
  }

  /** Orders for `node` that it has not answered and may still pick up. */
  pendingOn(node: string, now: number): ExecOrderFields[] {
    const out: ExecOrderFields[] = [];
    for (const e of this.entries.values()) {
      const v = e.view;
      if (v.node !== node || v.status !== "queued" || Date.parse(v.expires_at) < now) continue;
      out.push({
        id: v.id,
        replica: v.replica,
        command: v.command,
        ...(e.stdin ? { stdin: e.stdin } : {}),
        timeout_s: e.timeout_s,
        ...(v.tty ? { tty: true, ...(e.cols ? { cols: e.cols } : {}), ...(e.rows ? { rows: e.rows } : {}) } : {}),
        expires_at: v.expires_at,
      });
    }
    return out;
  }

  /**
   * Why `actor` may not attach to the terminal session `id` as `side`, or null when it may: the
   * user side belongs to whoever requested the exec, the agent side to the node ordered to run it.
   */
  attachRefusal(id: string, actor: string, side: "user" | "agent", now: number): { status: 404 | 403 | 409; detail: string } | null {
    const v = this.get(id, now);
    if (!v) return { status: 404, detail: `no exec ${id}` };
    const owner = side === "user" ? v.requested_by : v.node;
    if (owner !== actor) return { status: side === "user" ? 404 : 403, detail: side === "user" ? `no exec ${id}` : "this exec was ordered to another node" };
    if (!v.tty) return { status: 409, detail: `exec ${id} is not a terminal session; read its result instead` };
    if (v.status === "done") return { status: 409, detail: `exec ${id} has ended` };
    return null;
  }

  timeoutOf(id: string): number | undefined {
    return this.entries.get(id)?.timeout_s;
  }

  /** The node's answer; false when it is not this node's open order. */
  report(node: string, id: string, result: ExecOutcome, now: number): boolean {
    const e = this.entries.get(id);
    if (!e || e.view.node !== node || e.view.status !== "queued") return false;
    this.finish(e, result, now);
    return true;
  }

  /** Resolves when the exec is done or after `ms`. */
  wait(id: string, ms: number): Promise<void> {
    const e = this.entries.get(id);
    if (!e || e.view.status === "done" || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        e.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.min(ms, Math.max(0, e.answerBy - Date.now()) + 50));
      e.waiters.add(done);
    });
  }

  private finish(e: Entry, result: ExecOutcome, now: number): void {
    e.view.status = "done";
    e.view.result = result;
    e.view.finished_at = toIso(now);
    e.stdin = undefined;
    for (const w of [...e.waiters]) w();
  }

  private prune(now: number): void {
    for (const [id, e] of this.entries) {
      if (e.view.status === "done" && Date.parse(e.view.finished_at!) + KEEP_DONE_MS < now) this.entries.delete(id);
    }
  }
}
