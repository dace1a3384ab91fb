// A bench-only Worker for `wrangler dev`: the product's NotaryDO class outside the vitest pool,
// whose wrapping of every Durable Object adds 1.3–2 ms to each RPC (docs/PERFORMANCE.md, "Sixth
// pass: ingest"). Same measurement as bench/workerd/notary.bench.ts (bench/notary-ingest.ts).
import { measureIngest } from "../notary-ingest.ts";

export { NotaryDO } from "../../durable-objects/notary/notary-do.ts";
export { ClusterDO } from "../../durable-objects/cluster/cluster-do.ts";

export default {
  async fetch(req: Request, env: Env): Promise<Response> {
    const { pathname } = new URL(req.url);
    if (pathname === "/v1/health") return Response.json({ ok: true });
    if (pathname !== "/ingest") return new Response("not found", { status: 404 });
    const cluster = "bench";
    const app = `ingest-${crypto.randomUUID().slice(0, 8)}`;
    const figures = await measureIngest(env.NOTARY, cluster, app);
    const inD1 = await env.LEDGER.prepare("SELECT COUNT(*) AS n FROM receipts WHERE cluster = ? AND app = ?").bind(cluster, app).first<{ n: number }>();
    if (inD1?.n !== figures.receipts) return new Response(`D1 holds ${inD1?.n} receipts, expected ${figures.receipts}`, { status: 500 });
    return Response.json(figures);
  },
};
