// Deciding a CueCage verdict: the job's replicas from the ClusterDO, how their containers ended
// from the app's NotaryDO (node-signed exit receipts, verified when admitted), the rule from
// domain/agreements/cage-verdict.ts. Run after a node's exit receipts are admitted and when the
// verdict is read; the ClusterDO records a decided verdict once, with its audit event.
import { decideCageVerdict } from "../../domain/agreements/cage-verdict.ts";
import type { CageCheck } from "../../protocol/api/cage.ts";
import { clusterStub, notaryStub, unwrap } from "./stubs.ts";

/** The job after this look (null when `workload` is no CueCage job or is already decided). */
export async function settleCageJob(env: Env, cluster: string, workload: string): Promise<CageCheck | null> {
  const stub = clusterStub(env, cluster);
  const job = await unwrap(stub.cageJobRuns(workload));
  if (!job) return null;
  const receipts = await notaryStub(env, cluster, workload).terminalReceipts();
  const verdict = decideCageVerdict(job.nodes, job.replicas, receipts);
  if (verdict.status === "pending") {
    const { replicas: _replicas, ...rest } = job;
    return { ...rest, verdict };
  }
  return unwrap(stub.recordCageVerdict(workload, job.spec_version, verdict));
}
