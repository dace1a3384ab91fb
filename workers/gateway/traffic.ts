// The gateway's outcomes, batched in the isolate and flushed to each cluster's ClusterDO (the
// pipelines' error-rate gate reads them there). Never one RPC per request: a batch goes at most
// every second, or at once when it holds FLUSH_REQUESTS requests.
import { clusterStub } from "../lib/stubs.ts";
import type { TrafficRow } from "../../durable-objects/cluster/gateway-traffic.ts";
import type { Result } from "../../domain/result.ts";

const FLUSH_EVERY_MS = 1_000;
const FLUSH_REQUESTS = 100;
/** A batch whose flush failed is kept for the next one, up to this many rows (then dropped, logged). */
const MAX_PENDING_ROWS = 5_000;

/** cluster → "workload/second" → counts */
const pending = new Map<string, Map<string, TrafficRow>>();
let pendingRequests = 0;
/** When the scheduled flush began: one whose request was torn down never settles, so it is given up after a while. */
let flushingSince: number | undefined;
const STUCK_MS = 10_000;
let lastFlush = 0;

function add(cluster: string, row: TrafficRow): void {
  const rows = pending.get(cluster) ?? pending.set(cluster, new Map()).get(cluster)!;
  const key = `${row.workload}/${row.second}`;
  const cur = rows.get(key);
  if (cur) {
    cur.requests += row.requests;
    cur.errors += row.errors;
    cur.upstream_failures += row.upstream_failures;
  } else if (rows.size < MAX_PENDING_ROWS) rows.set(key, { ...row });
  else console.warn(`gateway traffic of ${cluster} dropped: ${MAX_PENDING_ROWS} rows pending`);
}

async function flush(env: Env): Promise<void> {
  const batch = [...pending.entries()];
  pending.clear();
  pendingRequests = 0;
  lastFlush = Date.now();
  await Promise.all(
    batch.map(async ([cluster, rows]) => {
      const list = [...rows.values()];
      try {
        const res = (await clusterStub(env, cluster).recordGatewayTraffic(list)) as Result<{ recorded: number }>;
        if (!res.ok) console.warn(`gateway traffic of ${cluster} not recorded: ${res.problem.detail}`);
      } catch (e) {
        console.warn(`gateway traffic of ${cluster} kept for the next flush: ${(e as Error).message}`);
        for (const r of list) add(cluster, r);
      }
    }),
  );
}

/**
 * Counts one answered gateway request of `workload`: its final status (5xx is an error) and the
 * upstream attempts that failed on the way. The flush runs in `waitUntil`, after the response.
 */
export function recordOutcome(env: Env, waitUntil: ((p: Promise<unknown>) => void) | undefined, cluster: string, workload: string, status: number, upstreamFailures: number): void {
  const now = Date.now();
  add(cluster, { workload, second: Math.floor(now / 1000), requests: 1, errors: status >= 500 ? 1 : 0, upstream_failures: upstreamFailures });
  pendingRequests++;
  if (!waitUntil) return;
  const full = pendingRequests >= FLUSH_REQUESTS;
  if (flushingSince !== undefined && now - flushingSince < STUCK_MS && !full) return;
  const wait = full ? 0 : Math.max(0, lastFlush + FLUSH_EVERY_MS - now);
  const since = (flushingSince = now);
  waitUntil(
    (async () => {
      try {
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        await flush(env);
      } finally {
        if (flushingSince === since) flushingSince = undefined;
      }
    })(),
  );
}
