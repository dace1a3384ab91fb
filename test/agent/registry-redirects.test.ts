// Registry redirects (issue 10, finding 5): every hop is held to the first URL's rule (https, or
// plain http to a loopback host only), hops are capped, and the pull token never leaves the
// registry's origin. A real registry (docker-registry on 127.0.0.1) behind small node:http fronts.
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ImageError, pullImage } from "../../node-agent/image/index.ts";
import { MAX_REDIRECTS } from "../../node-agent/image/sources/registry-fetch.ts";
import { buildBusyboxImage, pushImage, startRegistry, type BuiltImage, type LocalRegistry } from "../fixtures/image-builder.ts";
import { cleanup, relayFromRegistry, tempDir } from "./helpers.ts";

let work: string;
let image: BuiltImage;
let registry: LocalRegistry;
const servers: http.Server[] = [];

beforeAll(async () => {
  work = tempDir("redirects");
  image = buildBusyboxImage(path.join(work, "busybox"));
  registry = await startRegistry(path.join(work, "registry"));
  await pushImage(image.dir, registry.host, "enc/busybox", "latest");
});

afterAll(async () => {
  for (const s of servers) s.close();
  await registry?.stop();
  cleanup(undefined, work);
});

interface Seen {
  url: string;
  authorization: string | undefined;
}

/** A server on `listen` that records each request and answers with `handle` (or the registry's answer for `path`). */
type Answer = { redirect: string } | { path: string } | { status: number; headers: Record<string, string>; body: string };

async function serve(listen: string, handle: (req: http.IncomingMessage, self: string) => Answer): Promise<{ port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = http.createServer(async (req, res) => {
    seen.push({ url: req.url ?? "", authorization: req.headers.authorization });
    const what = handle(req, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    if ("redirect" in what) {
      res.writeHead(307, { location: what.redirect }).end();
      return;
    }
    if ("status" in what) {
      res.writeHead(what.status, what.headers).end(what.body);
      return;
    }
    await relayFromRegistry(res, registry.host, what.path, req.headers.accept);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, listen, r));
  return { port: (server.address() as AddressInfo).port, seen };
}

/** A registry front that wants an anonymous bearer token and sends blob GETs to `blobsTo(path)`. */
async function front(blobsTo: (path: string) => string | undefined) {
  return serve("127.0.0.1", (req, self): Answer => {
    const url = req.url ?? "";
    if (url.startsWith("/token")) return { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ token: "pull-token" }) };
    if (req.headers.authorization !== "Bearer pull-token") {
      return { status: 401, headers: { "www-authenticate": `Bearer realm="${self}/token",service="test",scope="repository:enc/busybox:pull"` }, body: "" };
    }
    const target = url.includes("/blobs/") ? blobsTo(url) : undefined;
    return target ? { redirect: target } : { path: url };
  });
}

/** This machine's first non-loopback IPv4 address: plain http to it leaves the loopback. */
function offLoopbackAddress(): string {
  for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  return "192.0.2.1";
}

const pullErr = (host: string, dir: string) => pullImage(`${host}/enc/busybox:latest`, { dataDir: path.join(work, dir) }).then(() => null, (e: unknown) => e);

describe("registry redirects", () => {
  // Node's own redirect following drops Authorization across origins too; the agent follows
  // redirects by hand (to check each hop), so this holds its loop to the same rule.
  it("follows a blob redirect to another origin without the pull token", async () => {
    const cdn = await serve("127.0.0.1", (req) => ({ path: (req.url ?? "").replace(/^\/cdn/, "").replace(/\?.*$/, "") }));
    const reg = await front((p) => `http://127.0.0.1:${cdn.port}/cdn${p}?grant=signed`);
    const pulled = await pullImage(`127.0.0.1:${reg.port}/enc/busybox:latest`, { dataDir: path.join(work, "data-1") });
    expect(pulled.manifestDigest).toBe(image.manifestDigest);
    // The registry got the token on its blob requests; the other origin never did.
    expect(reg.seen.filter((s) => s.url.includes("/blobs/")).map((s) => s.authorization)).toEqual(expect.arrayContaining(["Bearer pull-token"]));
    expect(cdn.seen.length).toBeGreaterThan(0);
    expect(cdn.seen.map((s) => s.authorization)).toEqual(cdn.seen.map(() => undefined));
  });

  it("refuses a redirect from a loopback http registry to plain http off the loopback", async () => {
    const outside = await serve("0.0.0.0", (req) => ({ path: (req.url ?? "").replace(/\?.*$/, "") }));
    const reg = await front((p) => `http://${offLoopbackAddress()}:${outside.port}${p}`);
    const err = await pullErr(`127.0.0.1:${reg.port}`, "data-2");
    expect(err).toBeInstanceOf(ImageError);
    expect((err as ImageError).code).toBe("insecure_registry");
    expect((err as Error).message).toMatch(/plain http is for loopback registries only/);
    expect(outside.seen).toEqual([]);
  });

  it(`gives up after ${MAX_REDIRECTS} redirects`, async () => {
    const reg = await front((p) => `${p.replace(/\?.*$/, "")}?again=${Date.now()}`);
    const err = await pullErr(`127.0.0.1:${reg.port}`, "data-3");
    expect(err).toBeInstanceOf(ImageError);
    expect((err as ImageError).code).toBe("registry");
    expect((err as Error).message).toMatch(new RegExp(`more than ${MAX_REDIRECTS} redirects`));
    expect(reg.seen.filter((s) => s.url.includes("again=")).length).toBe(MAX_REDIRECTS);
  });
});
