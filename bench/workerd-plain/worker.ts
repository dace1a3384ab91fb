// A bench-only Worker for `wrangler dev`: the product's NotaryDO class outside the vitest pool,
// whose wrapping of every Durable Object adds 1.3–2 ms to each RPC (docs/PERFORMANCE.md, "Sixth
// pass: ingest"). Same measurement as bench/workerd/notary.bench.ts (bench/notary-ingest.ts).
import { WorkerEntrypoint } from "cloudflare:workers";
import { measureIngest } from "../notary-ingest.ts";
import { ClusterDO } from "../../durable-objects/cluster/cluster-do.ts";
import { measureDeploys, seedSimulatedNodes, type DeployTarget } from "../scheduler-deploys.ts";
import type { NotaryLimits } from "../../domain/notary/sealing.ts";

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

/**
 * For the split bench's front (bench/workerd-split/), in another workerd process: wrangler's dev
 * registry reaches a Durable Object of another session by its id only, so the DO would not know
 * its name (`ctx.id.name`), from which a NotaryDO takes its cluster and app. This relay, in the
 * DO's process, addresses it by name. It is a hop the production path does not have, and it runs
 * on the DO's thread: the split figure is conservative by its cost.
 */
export class NotaryRelay extends WorkerEntrypoint<Env> {
  admitVerified(name: string, limits: NotaryLimits, entries: string[], indexes: number[]) {
    return this.env.NOTARY.getByName(name).admitVerified(limits, entries, indexes);
  }

  flushLedger(name: string) {
    return this.env.NOTARY.getByName(name).flushLedger();
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
    if (pathname === "/ledger-count") {
      // For the split bench's front (bench/workerd-split/), whose receipts land in this D1.
      const q = new URL(req.url).searchParams;
      return Response.json(await env.LEDGER.prepare("SELECT COUNT(*) AS n FROM receipts WHERE cluster = ? AND app = ?").bind(q.get("cluster"), q.get("app")).first<{ n: number }>());
    }
    if (pathname !== "/ingest") return new Response("not found", { status: 404 });
    const cluster = "bench";
    const app = `ingest-${crypto.randomUUID().slice(0, 8)}`;
    const figures = await measureIngest(env.NOTARY, cluster, app);
    const inD1 = await env.LEDGER.prepare("SELECT COUNT(*) AS n FROM receipts WHERE cluster = ? AND app = ?").bind(cluster, app).first<{ n: number }>();
    if (inD1?.n !== figures.receipts) return new Response(`D1 holds ${inD1?.n} receipts, expected ${figures.receipts}`, { status: 500 });
    return Response.json(figures);
  },
};
