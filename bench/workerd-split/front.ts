// A bench-only Worker for `wrangler dev`: the route's path (verifyThenAdmit, inside
// measureIngest) with the NotaryDO in another workerd process (bench/workerd-plain/worker.ts,
// reached through wrangler's dev registry and its NotaryRelay). Same measurement as
// bench/workerd-plain/ and bench/workerd/notary.bench.ts (bench/notary-ingest.ts).
import { measureIngest, type IngestTarget } from "../notary-ingest.ts";
import type { NotaryLimits } from "../../domain/notary/sealing.ts";
import type { Admitted } from "../../domain/notary/admission.ts";
import type { Result } from "../../domain/result.ts";

interface Relay {
  admitVerified(name: string, limits: NotaryLimits, entries: string[], indexes: number[]): Promise<Result<Admitted>>;
  flushLedger(name: string): Promise<void>;
}

interface FrontEnv {
  RELAY: Relay;
  BACK: Fetcher;
  /** The runner's (bench/workerd-plain/run.ts) URL that reads both processes' CPU time on each mark. */
  MARK_URL?: string;
}

/** The NOTARY binding's shape over the relay: each call names the DO. */
const relayed = (relay: Relay): IngestTarget => ({
  getByName: (name) => ({
    admitVerified: (limits, entries, indexes) => relay.admitVerified(name, limits, entries, indexes),
    flushLedger: () => relay.flushLedger(name),
  }),
});

export default {
  async fetch(req: Request, env: FrontEnv): Promise<Response> {
    const { pathname } = new URL(req.url);
    if (pathname === "/v1/health") return Response.json({ ok: true });
    if (pathname !== "/ingest") return new Response("not found", { status: 404 });
    const cluster = "bench";
    const app = `split-${crypto.randomUUID().slice(0, 8)}`;
    const mark = env.MARK_URL ? async (label: string) => void (await fetch(`${env.MARK_URL}/${label}`)).body?.cancel() : undefined;
    const figures = await measureIngest(relayed(env.RELAY), cluster, app, mark, () => new Promise((r) => setTimeout(r, 0)));
    // The back's D1 must hold every receipt, as in the single-process bench.
    const inD1 = (await (await env.BACK.fetch(`http://back/ledger-count?cluster=${cluster}&app=${app}`)).json()) as { n: number };
    if (inD1.n !== figures.receipts) return new Response(`D1 holds ${inD1.n} receipts, expected ${figures.receipts}`, { status: 500 });
    return Response.json(figures);
  },
};
