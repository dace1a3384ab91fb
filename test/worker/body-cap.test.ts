// Finding 5: bodies are capped before they are read in full. A declared Content-Length over the
// cap is refused unread; an undeclared (chunked) body is read only up to the cap.
import { inject, describe, expect, it } from "vitest";
import { API_BODY_MAX, GATEWAY_BODY_MAX } from "../../workers/middleware/body-cap.ts";
import { BASE, joinNode, newCluster, workerFetch } from "./helpers.ts";

const CHUNK = 64 * 1024;

/** A body of `total` bytes produced only as it is read, counting what was pulled. */
function counted(total: number) {
  const seen = { pulled: 0 };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(ctl) {
        if (seen.pulled >= total) return ctl.close();
        const n = Math.min(CHUNK, total - seen.pulled);
        seen.pulled += n;
        ctl.enqueue(new Uint8Array(n).fill(0x61));
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, seen };
}

async function expect413(res: Response) {
  expect(res.status).toBe(413);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(await res.json()).toMatchObject({ status: 413, field: "body" });
}

describe("API body cap", () => {
  it("answers a Content-Length over the cap with 413 without reading the body", async () => {
    const total = 4 * API_BODY_MAX;
    const { stream, seen } = counted(total);
    const res = await workerFetch(
      new Request(`${BASE}/v1/resolve`, { method: "POST", body: stream, headers: { "content-type": "application/json", "content-length": String(total) } }),
    );
    await expect413(res);
    expect(seen.pulled).toBeLessThanOrEqual(2 * CHUNK);
  });

  it("stops reading a chunked body at the cap", async () => {
    const total = 4 * API_BODY_MAX;
    const { stream, seen } = counted(total);
    const res = await workerFetch(new Request(`${BASE}/v1/resolve`, { method: "POST", body: stream, headers: { "content-type": "application/json" } }));
    await expect413(res);
    expect(seen.pulled).toBeLessThanOrEqual(API_BODY_MAX + 2 * CHUNK);
  });
});

describe("gateway body cap", () => {
  async function service() {
    const { name, owner } = await newCluster();
    const node = await joinNode(owner.api, name);
    const dep = await owner.api.post<{ replicas: { id: string; node: string }[] }>(`/v1/clusters/${name}/workloads`, { name: "web", image: "oci:/x:latest" });
    const r = dep.replicas[0]!;
    await node.api.post(`/v1/clusters/${name}/nodes/${r.node}/heartbeat`, {
      usage: { cpu_millis: 0, memory_mb: 0 },
      containers: [{ replica: r.id, status: "running", endpoint: inject("upstreamOk"), healthy: true }],
    });
    return `${BASE}/v1/clusters/${name}/services/web/upload`;
  }
  const hits = async () => ((await (await fetch(`${inject("upstreamOk")}/__hits`)).json()) as { ok: number }).ok;

  it("forwards a body under the cap", async () => {
    const url = await service();
    const res = await workerFetch(new Request(url, { method: "POST", body: new Uint8Array(API_BODY_MAX * 2) }));
    expect(res.status).toBe(200);
  });

  it("refuses a proxied body over the cap, declared or chunked, before reaching the replica", async () => {
    const url = await service();
    const before = await hits();
    const declared = counted(2 * GATEWAY_BODY_MAX);
    await expect413(await workerFetch(new Request(url, { method: "POST", body: declared.stream, headers: { "content-length": String(2 * GATEWAY_BODY_MAX) } })));
    expect(declared.seen.pulled).toBeLessThanOrEqual(2 * CHUNK);
    const chunked = counted(2 * GATEWAY_BODY_MAX);
    await expect413(await workerFetch(new Request(url, { method: "PUT", body: chunked.stream })));
    expect(chunked.seen.pulled).toBeLessThanOrEqual(GATEWAY_BODY_MAX + 2 * CHUNK);
    expect(await hits()).toBe(before);
  });
});
