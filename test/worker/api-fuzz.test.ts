// Issue 10 must-show: every route of the OpenAPI document gets random path parameters, queries
// and bodies (valid-ish and garbage; signed by a wallet that owns a cluster, by a node, or not at
// all), >= 10,000 requests per run in total. No answer may be a server error (501 only where the
// route's spec lists it), and every 4xx carries a problem (the W3C resolution result on
// /1.0/identifiers). Requests go out in parallel chunks so the run stays bounded in time.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { signRequest } from "../../protocol/http-signature.ts";
import type { Signer } from "../../protocol/ed25519.ts";
import { BASE, joinNode, newCluster, uniq, workerFetch } from "./helpers.ts";

const TOTAL = 10_200;
const CHUNK = 64;
const SEED = Number(process.env.API_FUZZ_SEED ?? Date.now() % 2 ** 31);

interface Op {
  method: string;
  path: string;
  pathParams: string[];
  queryParams: string[];
  hasBody: boolean;
  allows501: boolean;
}

interface Sent {
  method: string;
  url: string;
  op: Op;
}

const nasty = fc.constantFrom(..."aZ09-._~:/?#[]@!$&'()*+,;=%\\ \t\u007f\"<>^`{|}é€😀".split(""), "..", "%2e%2e", "%2f", "%00", "%ZZ", "%", "//", "did:", "\ud800");
const garbage = fc.string({ unit: fc.oneof(nasty, fc.constantFrom(..."abcdefghijklmnop0123456789-".split(""))), maxLength: 24 });
const odd = fc.oneof(garbage, fc.string({ maxLength: 30 }), fc.integer().map(String), fc.constantFrom("", "0", "-1", "1e308", "true", "null", "a".repeat(300)));
const jsonish = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.dictionary(fc.constantFrom("name", "config", "image", "replicas", "receipts", "token", "role", "address", "https_endpoint", "gateway", "id", "service", "mode", "ttl_s", "cage", "endpoint", "capabilities", "node_type", "containers", "receipt", "proof"), fc.jsonValue({ maxDepth: 2 })));

function operations(doc: { paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string }>; requestBody?: unknown; responses?: Record<string, unknown> }>> }): Op[] {
  const ops: Op[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!["get", "put", "post", "delete", "patch"].includes(method)) continue;
      const params = op.parameters ?? [];
      ops.push({
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === "path").map((p) => p.name),
        queryParams: params.filter((p) => p.in === "query").map((p) => p.name),
        hasBody: op.requestBody !== undefined,
        allows501: Object.keys(op.responses ?? {}).includes("501"),
      });
    }
  }
  return ops;
}

describe("fuzz of every route", () => {
  let ops: Op[] = [];
  let owner: Signer;
  let node: Signer;
  let cluster: string;

  beforeAll(async () => {
    const res = await workerFetch(new Request(`${BASE}/v1/openapi.json`));
    ops = operations(await res.json());
    const c = await newCluster();
    cluster = c.name;
    owner = c.owner.api.signer!;
    node = (await joinNode(c.owner.api, cluster)).api.signer!;
  });

  // CPU-bound: 39 s alone, 76-94 s beside other suites, past 120 s beside npm test's node lanes.
  it(`sends >= ${TOTAL} random requests to every route; none is a server error`, { timeout: 300_000 }, async () => {
    expect(ops.length).toBeGreaterThan(20);
    const known: Record<string, string[]> = {
      cluster: [cluster, uniq("c")],
      app: ["web", "api"],
      workload: ["web"],
      name: ["web", cluster],
      address: [owner.address, node.address],
      node: [node.address],
      host: ["app.example.com", "localhost"],
      did: ["did:bpi:alice", "did:key:z6Mkx", "did:web:good.didweb.example"],
      identifier: ["did:bpi:alice", "did:example:1", "did:rootzk://x"],
      hash: ["0".repeat(64), "blake3:" + "0".repeat(64)],
      height: ["1", "0", "999999"],
      id: ["1", "x"],
      replica: ["web-0"],
    };
    const param = (name: string) => fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...(known[name] ?? ["x"])) }, { weight: 3, arbitrary: odd });
    const requestOf = (op: Op) =>
      fc.record({
        params: fc.tuple(...op.pathParams.map(param)),
        rawParam: fc.boolean(),
        query: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...(op.queryParams.length ? op.queryParams : ["x"])), garbage), odd), { maxLength: 3 }),
        body: op.hasBody || op.method !== "GET" ? fc.oneof({ weight: 4, arbitrary: jsonish.map((v) => JSON.stringify(v)) }, { weight: 1, arbitrary: garbage }, { weight: 1, arbitrary: fc.constant(undefined) }) : fc.constant(undefined),
        signer: fc.constantFrom<"owner" | "node" | "none">("owner", "owner", "owner", "node", "none"),
      });

    const per = Math.ceil(TOTAL / ops.length);
    const plans = ops.flatMap((op, i) => fc.sample(requestOf(op), { numRuns: per, seed: SEED + i }).map((r) => ({ op, r })));
    expect(plans.length).toBeGreaterThanOrEqual(10_000);

    const build = async ({ op, r }: (typeof plans)[number]): Promise<{ req: Request; sent: Sent }> => {
      let i = 0;
      const path = op.path.replace(/\{[^}]+\}/g, () => {
        const v = r.params[i++] ?? "x";
        // Raw: a garbage value may break the path itself (extra segments, "?" or "#").
        return r.rawParam ? v : encodeURIComponent(v.replace(/[\ud800-\udfff]/g, "\ufffd"));
      });
      const q = new URLSearchParams(r.query.map(([k, v]) => [k, k === "wait" ? "0" : v]));
      // The agent's long poll waits up to 55 s by default: never wait here.
      if (op.queryParams.includes("wait")) q.set("wait", "0");
      let url: string;
      try {
        url = new URL(`${BASE}${path}${q.size ? `?${q}` : ""}`).href;
      } catch {
        url = `${BASE}${op.path.replace(/\{[^}]+\}/g, "x")}`;
      }
      const headers: Record<string, string> = { accept: "application/json" };
      if (r.body !== undefined) headers["content-type"] = "application/json";
      const signer = r.signer === "owner" ? owner : r.signer === "node" ? node : null;
      if (signer) Object.assign(headers, await signRequest({ method: op.method, url, body: r.body, signer }));
      return { req: new Request(url, { method: op.method, headers, body: r.body }), sent: { method: op.method, url, op } };
    };

    const failures: string[] = [];
    let count = 0;
    const statuses = new Map<number, number>();
    for (let at = 0; at < plans.length; at += CHUNK) {
      await Promise.all(
        plans.slice(at, at + CHUNK).map(async (p) => {
          const { req, sent } = await build(p);
          const res = await workerFetch(req);
          const text = await res.text();
          count++;
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const why = `${res.status} ${sent.method} ${sent.url} (${sent.op.method} ${sent.op.path}): ${text.slice(0, 200)}`;
          if (res.status >= 500 && !(res.status === 501 && sent.op.allows501)) failures.push(why);
          else if (res.status >= 400 && res.status < 500) {
            const type = res.headers.get("content-type") ?? "";
            const resolution = sent.op.path.startsWith("/1.0/identifiers") && type.includes("did-resolution");
            if (!type.startsWith("application/problem+json") && !resolution) failures.push(`not a problem: ${why}`);
            else {
              let body: { status?: number; didResolutionMetadata?: { error?: string } } | null = null;
              try {
                body = JSON.parse(text);
              } catch {
                failures.push(`not JSON: ${why}`);
              }
              if (body && !resolution && body.status !== res.status) failures.push(`problem status differs: ${why}`);
            }
          }
        }),
      );
    }
    console.log(`api-fuzz: ${ops.length} routes, ${count} requests, seed ${SEED}, statuses ${JSON.stringify([...statuses].sort())}`);
    expect(count).toBeGreaterThanOrEqual(10_000);
    expect(failures.slice(0, 20), `seed ${SEED}; statuses ${JSON.stringify([...statuses])}`).toEqual([]);
  });
});
