import { env } from "cloudflare:workers";
import { it } from "vitest";
import { ApiClient } from "../../protocol/api-client.ts";
import { generateSeed, signerFromSeed } from "../../protocol/ed25519.ts";
import { app } from "../../workers/app.ts";
import { resolverCache } from "../../workers/routes/resolver-config.ts";
import { encodeEd25519Multikey } from "../../protocol/rootzk/multikey.ts";
import { median, percentile, report } from "./stats.ts";

/*
 * Resolutions inside the Worker: each one is a full request through the Hono app (routing, query
 * validation, the resolver, the response), called in-isolate. "cached" = answered by the isolate
 * LRU; "uncached" = the LRU is emptied before every request, so each one reads D1 (and, for
 * rootzk, re-reads the DID document) and rebuilds the answer.
 */
const BASE = "https://enc.bench";
const handle = async (req: Request): Promise<Response> => app.fetch(req, env);

/**
 * workerd's clock ticks in whole milliseconds, so single sub-millisecond requests cannot be timed:
 * requests are timed in batches and each batch gives one per-request figure (its mean). p50 and
 * p99 are over those batch means (a tail inside one batch is averaged away; the p99 of batch
 * means is still reported). `before` runs inside the timed batch (emptying the cache is O(1)).
 * A request is timed from `new Request` to the Worker's Response, whose body is a finished
 * string; `readBody` also reads it back through the stream (harness work, ~40 µs, shown apart).
 */
async function timed(batches: number, size: number, path: (i: number) => string, opts: { before?: () => void; readBody?: boolean } = {}): Promise<number[]> {
  const perRequest: number[] = [];
  let i = 0;
  for (let b = 0; b < batches; b++) {
    const t = performance.now();
    for (let k = 0; k < size; k++, i++) {
      opts.before?.();
      const res = await handle(new Request(BASE + path(i)));
      if (opts.readBody) await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`resolution ${path(i)} answered ${res.status}`);
    }
    perRequest.push((performance.now() - t) / size);
  }
  return perRequest;
}

function figures(label: string, ms: number[], targetP50?: string) {
  const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
  report(`resolver.${label}_per_s`, 1000 / mean, "resolutions/s");
  report(`resolver.${label}_p50_ms`, median(ms), "ms", targetP50);
  report(`resolver.${label}_p99_ms`, percentile(ms, 99), "ms");
}

it("resolutions per second, cached and uncached (D1)", async () => {
  const signer = await signerFromSeed(generateSeed());
  const api = new ApiClient({ url: BASE, signer, fetch: handle });
  const host = "bench.example.com";
  await api.put(`/v1/registry/httpcg/${host}`, { https_endpoint: "https://origin.example.com/app" });
  const did = "did:bpi:bench";
  const mb = encodeEd25519Multikey(signer.publicKey);
  await api.put(`/v1/dids/${did}`, {
    "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
    id: did,
    verificationMethod: [{ id: `${did}#key-1`, type: "Multikey", controller: did, publicKeyMultibase: mb }],
    authentication: ["#key-1"],
    service: [{ id: "#api", type: "LinkedDomains", serviceEndpoint: "https://api.example.com/" }],
  });
  const cache = resolverCache(env);
  const httpcg = (i: number) => `/v1/resolve?name=${encodeURIComponent(`httpcg://${host}/p/${i}`)}`;
  const rootzk = (i: number) => `/v1/resolve?name=${encodeURIComponent(`rootzk://${did}/api/p/${i}`)}`;
  const clear = () => cache.clear();

  // Warm-up of every path (JIT, D1, cache), so that no figure pays for running first.
  for (let round = 0; round < 3; round++) {
    await timed(10, 50, (i) => (i % 2 ? httpcg(i % 10) : rootzk(i % 10)));
    await timed(10, 20, (i) => (i % 2 ? httpcg(i) : rootzk(i)), { before: clear });
  }
  figures("httpcg_cached", await timed(100, 100, (i) => httpcg(i % 10)), "< 0.2");
  figures("httpcg_cached_body_read", await timed(50, 100, (i) => httpcg(i % 10), { readBody: true }));
  figures("httpcg_uncached", await timed(60, 20, httpcg, { before: clear }), "< 5");
  figures("rootzk_cached", await timed(100, 100, (i) => rootzk(i % 10)), "< 0.2");
  figures("rootzk_uncached", await timed(60, 20, rootzk, { before: clear }), "< 5");
  await timed(4, 50, () => `/1.0/identifiers/${did}`);
  figures("did_resolution_cached", await timed(100, 100, () => `/1.0/identifiers/${did}`));
});
