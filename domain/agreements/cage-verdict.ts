// The CueCage verification rule: a deterministic job ran once on each of N distinct nodes; each
// run's node-signed exit receipt carries the witness root of everything it read and wrote. Equal
// roots on N nodes are the verdict "accepted"; any difference, a failed run or too few distinct
// nodes is "rejected", with every node's root in the verdict. Until N runs have ended it is
// "pending". Pure: the ClusterDO records it, the receipts come from the app's NotaryDO.
import type { CageRun, CageVerdict } from "../../protocol/api/cage.ts";

export type { CageRun, CageVerdict };

export interface CageReplica {
  id: string;
  node: string | null;
  status: string;
  reason?: string | null;
}

/** A terminal (exit or oom) receipt of the job's app, as the notary admitted it. */
export interface TerminalReceipt {
  hash: string;
  node: string;
  container: string;
  op: string;
  ts: string;
  witness_root?: string;
  exit_code?: number;
}

export function decideCageVerdict(nodes: number, replicas: readonly CageReplica[], receipts: readonly TerminalReceipt[]): CageVerdict {
  const runs: CageRun[] = [];
  const failed: string[] = [];
  for (const r of replicas) {
    // A replica's containers are `<replica>.<n>`; the first to end is its run (restart is never).
    const ended = receipts
      .filter((x) => x.node === r.node && x.container.startsWith(`${r.id}.`))
      .sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0))[0];
    if (ended) runs.push({ node: ended.node, replica: r.id, container: ended.container, receipt: ended.hash, witness_root: ended.witness_root ?? null, exit_code: ended.exit_code ?? null });
    // A replica that failed without ever running (image pull, placement) leaves no receipt.
    else if (r.status === "failed") failed.push(`${r.id}${r.node ? ` on ${r.node}` : ""} failed before running${r.reason ? `: ${r.reason}` : ""}`);
  }
  runs.sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  const verdict = (status: CageVerdict["status"], reason: string): CageVerdict => ({ status, nodes_required: nodes, runs, reason });
  if (failed.length) return verdict("rejected", failed.join("; "));
  if (runs.length < nodes) return verdict("pending", `${runs.length} of ${nodes} runs have ended`);
  const distinct = new Set(runs.map((r) => r.node));
  if (distinct.size < nodes) return verdict("rejected", `the runs ended on ${distinct.size} distinct node(s); the rule asks for ${nodes}`);
  const bad = runs.filter((r) => r.exit_code !== 0 || r.witness_root === null);
  if (bad.length) return verdict("rejected", bad.map((r) => `the run on ${r.node} ${r.exit_code === null ? "was killed" : `exited ${r.exit_code}`}${r.witness_root ? "" : " without a witness root"}`).join("; "));
  const roots = new Set(runs.map((r) => r.witness_root));
  if (roots.size > 1) return verdict("rejected", `witness roots differ: ${runs.map((r) => `${r.node} ${r.witness_root}`).join(", ")}`);
  return verdict("accepted", `${runs.length} runs on ${distinct.size} distinct nodes produced witness root ${runs[0]!.witness_root}`);
}
