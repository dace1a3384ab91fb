// A bench-only Worker for `wrangler dev`: the product's NotaryDO class outside the vitest pool,
// whose wrapping of every Durable Object adds 1.3–2 ms to each RPC (docs/PERFORMANCE.md, "Sixth
// pass: ingest"). Same measurement as bench/workerd/notary.bench.ts (bench/notary-ingest.ts).
import { measureIngest } from "../notary-ingest.ts";
import { ClusterDO } from "../../durable-objects/cluster/cluster-do.ts";
import { measureDeploys, seedSimulatedNodes, type DeployTarget } from "../scheduler-deploys.ts";

export { NotaryDO } from "../../durable-objects/notary/notary-do.ts";
export { ClusterDO };

/**
 * The product's ClusterDO with one bench-only method: simulated nodes written straight into its
 * node table (as bench/workerd/scheduler.bench.ts does through runInDurableObject).
 */
export class BenchClusterDO extends ClusterDO {
  seedNodes(n: number): void {
    seedSimulatedNodes(this.ctx.storage.sql, n);
  }
}

export default {
  async fetch(req: Request, env: Env): Promise<Response> {
    const { pathname } = new URL(req.url);
    if (pathname === "/v1/health") return Response.json({ ok: true });
    if (pathname === "/deploy") {
      const params = new URL(req.url).searchParams;
      const algorithm = params.get("algorithm") ?? "resource_based";
      const ns = (env as unknown as { BENCH_CLUSTER: DurableObjectNamespace }).BENCH_CLUSTER;
      const stub = ns.get(ns.idFromName(`deploy-${crypto.randomUUID().slice(0, 8)}`)) as unknown as DeployTarget & { seedNodes(n: number): Promise<void> };
      return Response.json(await measureDeploys(stub, algorithm, (n) => stub.seedNodes(n), Number(params.get("deploys") ?? 10)));
    }
    if (pathname !== "/ingest") return new Response("not found", { status: 404 });
    const cluster = "bench";
    const app = `ingest-${crypto.randomUUID().slice(0, 8)}`;
    const stub = env.NOTARY.get(env.NOTARY.idFromName(`${cluster}/${app}`));
    const figures = await measureIngest(stub, cluster, app);
    const inD1 = await env.LEDGER.prepare("SELECT COUNT(*) AS n FROM receipts WHERE cluster = ? AND app = ?").bind(cluster, app).first<{ n: number }>();
    if (inD1?.n !== figures.receipts) return new Response(`D1 holds ${inD1?.n} receipts, expected ${figures.receipts}`, { status: 500 });
    return Response.json(figures);
  },
};
