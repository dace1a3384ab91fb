// Pulling from a real OCI distribution registry (Debian's docker-registry on 127.0.0.1): by tag,
// by digest, through the anonymous bearer-token flow, and refusing tampered registry content.
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFromImage } from "../../node-agent/cage/index.ts";
import { ImageError, pullImage } from "../../node-agent/image/index.ts";
import { buildBusyboxImage, pushImage, startRegistry, type BuiltImage, type LocalRegistry } from "../fixtures/image-builder.ts";
import { cleanup, relayFromRegistry, tamper, tempDir } from "./helpers.ts";

let work: string;
let image: BuiltImage;
let registry: LocalRegistry;
let ref: string;
const servers: http.Server[] = [];

beforeAll(async () => {
  work = tempDir("registry");
  image = buildBusyboxImage(path.join(work, "busybox"));
  registry = await startRegistry(path.join(work, "registry"));
  ref = await pushImage(image.dir, registry.host, "enc/busybox", "latest");
});

afterAll(async () => {
  for (const s of servers) s.close();
  await registry?.stop();
  cleanup(path.join(work, "run-data"), work);
});

/** A front for the registry that wants `auth` first: "bearer" (anonymous token flow) or "basic". */
async function authFront(auth: "bearer" | "basic"): Promise<{ host: string; tokensIssued: () => number }> {
  let issued = 0;
  const server = http.createServer(async (req, res) => {
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (req.url?.startsWith("/token")) {
      issued++;
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token: "let-me-in" }));
      return;
    }
    if (req.headers.authorization !== "Bearer let-me-in") {
      const challenge = auth === "basic" ? 'Basic realm="registry"' : `Bearer realm="http://${host}/token",service="test-registry",scope="repository:enc/busybox:pull"`;
      res.writeHead(401, { "www-authenticate": challenge }).end();
      return;
    }
    await relayFromRegistry(res, registry.host, req.url ?? "", req.headers.accept);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { host: `127.0.0.1:${(server.address() as AddressInfo).port}`, tokensIssued: () => issued };
}

describe("registry pulls", () => {
  it("pulls by tag over plain HTTP from a loopback registry", async () => {
    const pulled = await pullImage(ref, { dataDir: path.join(work, "data-1") });
    expect(pulled.manifestDigest).toBe(image.manifestDigest);
    expect(pulled.config.Cmd).toEqual(["sh"]);
  });

  it("pulls by digest", async () => {
    const pulled = await pullImage(`${registry.host}/enc/busybox@${image.manifestDigest}`, { dataDir: path.join(work, "data-2") });
    expect(pulled.manifestDigest).toBe(image.manifestDigest);
  });

  it("runs a container from the registry image", async () => {
    const dataDir = path.join(work, "run-data");
    const { container } = await createFromImage({ dataDir }, { id: "from-registry", image: ref, workload: { command: ["echo", "pulled"] } });
    await container.start();
    const exit = await container.wait();
    expect(exit).toMatchObject({ exitCode: 0, reason: "exited" });
    expect(fs.readFileSync(container.paths.stdout, "utf8")).toBe("pulled\n");
    await container.delete();
  });

  it("reports an unknown tag as not_found", async () => {
    const err = await pullImage(`${registry.host}/enc/busybox:missing`, { dataDir: path.join(work, "data-3") }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageError);
    expect((err as ImageError).code).toBe("not_found");
  });

  it("answers a bearer challenge with an anonymous token", async () => {
    const front = await authFront("bearer");
    const pulled = await pullImage(`${front.host}/enc/busybox:latest`, { dataDir: path.join(work, "data-4") });
    expect(pulled.manifestDigest).toBe(image.manifestDigest);
    expect(front.tokensIssued()).toBe(1);
  });

  it("refuses registries that want credentials", async () => {
    const front = await authFront("basic");
    const err = await pullImage(`${front.host}/enc/busybox:latest`, { dataDir: path.join(work, "data-5") }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageError);
    expect((err as ImageError).code).toBe("auth");
    expect((err as Error).message).toContain("basic credentials");
  });

  it("refuses a layer the registry serves tampered", async () => {
    const hex = image.layerDigests[0]!.slice("sha256:".length);
    const stored = path.join(work, "registry", "data", "docker", "registry", "v2", "blobs", "sha256", hex.slice(0, 2), hex, "data");
    tamper(stored);
    const err = await pullImage(ref, { dataDir: path.join(work, "data-6") }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageError);
    expect((err as ImageError).code).toBe("digest_mismatch");
    expect((err as Error).message).toMatch(new RegExp(`^layer ${image.layerDigests[0]} digest mismatch: got sha256:`));
  });
});
