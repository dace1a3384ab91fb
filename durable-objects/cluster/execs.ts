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
      requested_by: actor,
      requested_at: toIso(now),
      expires_at: toIso(now + EXEC_PICKUP_MS),
      finished_at: null,
      result: null,
    };
    this.entries.set(id, { view, stdin: req.stdin, timeout_s: req.timeout_s, answerBy: now + EXEC_PICKUP_MS + req.timeout_s * 1000 + 10_000, waiters: new Set() });
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
      out.push({ id: v.id, replica: v.replica, command: v.command, ...(e.stdin ? { stdin: e.stdin } : {}), timeout_s: e.timeout_s, expires_at: v.expires_at });
    }
    return out;
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
