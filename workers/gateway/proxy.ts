import type { Context } from "hono";
import { verifyRequest } from "../../protocol/http-signature.ts";
import type { AppEnv } from "../env.ts";
import { fail, ProblemException } from "../../domain/problem.ts";
import { clusterStub, unwrap } from "../lib/stubs.ts";
import { Breakers } from "./breakers.ts";
import { began, ended, order, type Target } from "./pick.ts";
import { upstreamUrl } from "./upstream-url.ts";
import { recordOutcome } from "./traffic.ts";
import { GATEWAY_TARGET_TTL_MS } from "../../domain/rollout/drain.ts";

const breakers = new Breakers();
const HOP_BY_HOP = ["connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host"];
export const WALLET_HEADER = "x-enc-wallet";
const TARGET_TTL_MS = GATEWAY_TARGET_TTL_MS; // replicas to retire drain for longer than this
const cache = new Map<string, { at: number; value: Awaited<ReturnType<typeof targetsOf>> }>();

async function targetsOf(c: Context<AppEnv>, cluster: string, workload: string) {
  return unwrap(clusterStub(c.env, cluster).serviceTargets(workload));
}

/** The workload's routing data, cached briefly per isolate (breakers cover the gap). */
async function routing(c: Context<AppEnv>, cluster: string, workload: string) {
  const key = `${cluster}/${workload}`;
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < TARGET_TTL_MS) return hit.value;
  const value = await targetsOf(c, cluster, workload);
  cache.set(key, { at: Date.now(), value });
  return value;
}

/**
 * The HTTP cage gateway: forwards to a healthy replica chosen by the workload's algorithm,
 * skipping replicas whose breaker is open and retrying the next one on a connection failure
 * or a 502/503/504 (the body is buffered so a retry can resend it).
 */
export async function proxy(c: Context<AppEnv>, cluster: string, workload: string, rest: string): Promise<Response> {
  const route = await routing(c, cluster, workload);
  // Every request to a workload that exists is counted (5xx, upstream failures) for its cluster's pipelines.
  const tally = { upstreamFailures: 0 };
  let status = 500;
  try {
    const res = await forward(c, cluster, workload, rest, route, tally);
    status = res.status;
    return res;
  } catch (e) {
    status = e instanceof ProblemException ? e.problem.status : 500;
    throw e;
  } finally {
    recordOutcome(c.env, waitUntilOf(c), cluster, workload, status, tally.upstreamFailures);
  }
}

/** The request's waitUntil, if it has an execution context. */
function waitUntilOf(c: Context<AppEnv>): ((p: Promise<unknown>) => void) | undefined {
  try {
    const ctx = c.executionCtx;
    return (p) => ctx.waitUntil(p);
  } catch {
    return undefined;
  }
}

async function forward(
  c: Context<AppEnv>,
  cluster: string,
  workload: string,
  rest: string,
  route: Awaited<ReturnType<typeof routing>>,
  tally: { upstreamFailures: number },
): Promise<Response> {
  const body = ["GET", "HEAD"].includes(c.req.method) ? null : new Uint8Array(await c.req.arrayBuffer());
  const headers = new Headers(c.req.raw.headers);
  for (const h of HOP_BY_HOP) headers.delete(h);
  headers.delete(WALLET_HEADER); // only the gateway may say who the caller is
  if (route.wallet_authentication) {
    const v = await verifyRequest({ method: c.req.method, url: c.req.url, headers: c.req.raw.headers, body: body && body.byteLength ? body : null });
    if (!v.ok) fail(401, `this service requires a wallet signature: ${v.reason}`, { code: "signature-invalid" });
    const fresh = await c.env.NONCES.get(c.env.NONCES.idFromName(v.keyid)).use(v.nonce, (v.created + 360) * 1000);
    if (!fresh) fail(401, "this nonce was already used: the request is a replay", { code: "signature-replayed" });
    headers.set(WALLET_HEADER, v.keyid);
  }
  const client = c.req.header("cf-connecting-ip") ?? c.req.header("x-forwarded-for") ?? "anonymous";
  headers.set("x-forwarded-for", client);
  if (route.targets.length === 0) fail(503, `workload ${workload} has no healthy replica to serve this request`);
  const query = new URL(c.req.url).search;
  let last = "";
  const scope = `${cluster}/${workload}`;
  for (const t of order(scope, route.algorithm, route.targets, client)) {
    const now = Date.now();
    // Keyed by upstream, not replica: a replica that moved to another node starts afresh.
    const key = `${scope}/${t.replica}@${t.endpoint}`;
    if (!breakers.acquire(key, now)) continue;
    const res = await attempt(scope, t, `${rest}${query}`, c.req.method, headers, body);
    if (res instanceof Response && ![502, 503, 504].includes(res.status)) {
      breakers.success(key, Date.now());
      const out = new Response(res.body, res);
      out.headers.set("x-enc-replica", t.replica);
      return out;
    }
    breakers.failure(key, Date.now());
    tally.upstreamFailures++;
    last = res instanceof Response ? `replica ${t.replica} answered ${res.status}` : `replica ${t.replica}: ${res}`;
  }
  fail(502, last ? `no replica could serve the request (${last})` : "every replica's circuit breaker is open; retry shortly");
}

async function attempt(scope: string, t: Target, path: string, method: string, headers: Headers, body: Uint8Array | null): Promise<Response | string> {
  began(scope, t.replica);
  try {
    const url = upstreamUrl(t.endpoint, path);
    if (!url) return `endpoint ${JSON.stringify(t.endpoint)} cannot be proxied to`;
    // Never followed: a redirect is the replica's answer to the caller, not a place the
    // control plane should go (it could name loopback or a metadata service).
    return await fetch(url, { method, headers, body, redirect: "manual", signal: AbortSignal.timeout(10_000) });
  } catch (e) {
    return (e as Error).message;
  } finally {
    ended(scope, t.replica);
  }
}
