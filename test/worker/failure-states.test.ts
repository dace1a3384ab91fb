// Issue 11 items 3 and 4 in the Worker and ClusterDO: back-off states a node reports (with their
// reasons and retry times) in the workload API and health, and the event stream merging the
// audit log with node-signed events, with its cursor and long poll.
import { describe, expect, it } from "vitest";
import { joinNode, newCluster, wallet } from "./helpers.ts";

type Page = { events: { id: string; at: string; source: string; kind: string; workload?: string; replica?: string; node?: string; reason?: string }[]; cursor: string };

async function deployed(replicas = 1) {
  const { name, owner } = await newCluster();
  const node = await joinNode(owner.api, name);
  const dep = await owner.api.post<{ replicas: { id: string }[] }>(`/v1/clusters/${name}/workloads`, { name: "w", image: "oci:/x:latest", replicas, restart: "on-failure" });
  const hb = (body: Record<string, unknown>) => node.api.post(`/v1/clusters/${name}/nodes/${node.signer.address}/heartbeat`, { usage: { cpu_millis: 0, memory_mb: 0 }, ...body });
  return { name, owner, node, ids: dep.replicas.map((r) => r.id), hb };
}

const retryAt = new Date(Date.now() + 8000).toISOString();

describe("back-off states", () => {
  it("a crash loop and a pull failure are states of their own, with reason and retry time, in the API and health", async () => {
    const { name, owner, ids, hb } = await deployed(2);
    await hb({
      containers: [
        { replica: ids[0], status: "starting", restarts: 3, exit_code: 3, backoff: { state: "CrashLoopBackOff", reason: "exited 3", next_retry_at: retryAt, failures: 4 } },
        { replica: ids[1], status: "starting", backoff: { state: "ImagePullBackOff", reason: "cannot read oci-layout: ENOENT", next_retry_at: retryAt, failures: 1 } },
      ],
    });
    const w = await owner.api.get<{ replicas: { id: string; status: string; backoff?: unknown }[] }>(`/v1/clusters/${name}/workloads/w`);
    expect(w.replicas.find((r) => r.id === ids[0])).toMatchObject({ status: "starting", backoff: { state: "CrashLoopBackOff", reason: "exited 3", next_retry_at: retryAt, failures: 4 } });
    expect(w.replicas.find((r) => r.id === ids[1])).toMatchObject({ backoff: { state: "ImagePullBackOff", reason: "cannot read oci-layout: ENOENT" } });
    const h = await owner.api.get<{ status: string; replicas: { id: string; backoff?: { state: string } }[] }>(`/v1/clusters/${name}/health`);
    expect(h.status).toBe("degraded");
    expect(h.replicas.map((r) => r.backoff?.state).sort()).toEqual(["CrashLoopBackOff", "ImagePullBackOff"]);

    // Once running again the state is gone and the cluster is healthy.
    await hb({ containers: ids.map((id) => ({ replica: id, status: "running" })) });
    const after = await owner.api.get<{ replicas: { backoff?: unknown }[] }>(`/v1/clusters/${name}/workloads/w`);
    expect(after.replicas.every((r) => r.backoff === undefined)).toBe(true);
    expect((await owner.api.get<{ status: string }>(`/v1/clusters/${name}/health`)).status).toBe("ok");
  });

  it("refuses a malformed back-off and changes nothing", async () => {
    const { name, owner, ids, hb } = await deployed();
    await expect(hb({ containers: [{ replica: ids[0], status: "starting", backoff: { state: "Sleeping", reason: "x", next_retry_at: retryAt, failures: 1 } }] })).rejects.toMatchObject({
      status: 422,
      problem: { field: expect.stringContaining("backoff") },
    });
    const w = await owner.api.get<{ replicas: { status: string; backoff?: unknown }[] }>(`/v1/clusters/${name}/workloads/w`);
    expect(w.replicas[0]).toMatchObject({ status: "pending" });
    expect(w.replicas[0]!.backoff).toBeUndefined();
  });
});

describe("events", () => {
  it("merges the audit log (deployed, created, scheduled) with node events, filtered by workload", async () => {
    const { name, owner, node, ids, hb } = await deployed();
    await owner.api.post(`/v1/clusters/${name}/workloads`, { name: "other", image: "oci:/x:latest" });
    const now = Date.now();
    const at = (ms: number) => new Date(now + ms).toISOString();
    await hb({
      events: [
        { at: at(1), replica: ids[0], container: `${ids[0]}.1`, kind: "pulled", reason: "oci:/x:latest (sha256:ab)" },
        { at: at(2), replica: ids[0], container: `${ids[0]}.1`, kind: "started" },
        { at: at(3), replica: ids[0], container: `${ids[0]}.1`, kind: "exited", reason: "exit code 3" },
        { at: at(4), replica: ids[0], container: `${ids[0]}.1`, kind: "back_off", reason: "CrashLoopBackOff: exited 3; retry in 1 s" },
      ],
    });
    const page = await owner.api.get<Page>(`/v1/clusters/${name}/events?workload=w`);
    expect(page.events.map((e) => e.kind)).toEqual(["deployed", "replica_created", "scheduled", "pulled", "started", "exited", "back_off"]);
    expect(page.events.every((e) => e.workload === "w")).toBe(true);
    expect(page.events.find((e) => e.kind === "scheduled")).toMatchObject({ source: "audit", replica: ids[0], node: node.signer.address });
    expect(page.events.find((e) => e.kind === "back_off")).toMatchObject({ source: "agent", replica: ids[0], node: node.signer.address, reason: "CrashLoopBackOff: exited 3; retry in 1 s" });
    expect(page.cursor).toMatch(/^a\d+\.e\d+$/);
    const all = await owner.api.get<Page>(`/v1/clusters/${name}/events`);
    expect(all.events.filter((e) => e.kind === "deployed").map((e) => e.workload)).toEqual(["w", "other"]);
    expect(all.events.some((e) => e.kind === "node_added")).toBe(true);

    // Nothing new after the cursor; a limit pages through without loss or repetition.
    expect((await owner.api.get<Page>(`/v1/clusters/${name}/events?workload=w&after=${page.cursor}`)).events).toEqual([]);
    const seen: string[] = [];
    let cursor = "a0.e0";
    for (let i = 0; i < 20; i++) {
      const p = await owner.api.get<Page>(`/v1/clusters/${name}/events?workload=w&after=${cursor}&limit=2`);
      if (p.events.length === 0) break;
      seen.push(...p.events.map((e) => e.kind));
      cursor = p.cursor;
    }
    expect(seen).toEqual(page.events.map((e) => e.kind));
  });

  it("records an event resent with the same seq once (an agent resends its journal after a restart)", async () => {
    const { name, owner, ids, hb } = await deployed();
    const c = `${ids[0]}.1`;
    const at = new Date().toISOString();
    const pulled = { at, replica: ids[0], container: c, kind: "pulled", seq: 1_000 };
    const started = { at, replica: ids[0], container: c, kind: "started", seq: 1_001 };
    await hb({ events: [pulled, started] });
    // Accepted, but the answer was lost: the agent restarts and sends them again, with what followed.
    await hb({ events: [pulled, started, { at, replica: ids[0], container: c, kind: "exited", reason: "exit code 1", seq: 1_002 }] });
    await hb({ events: [{ ...started, seq: 1_001 }] });
    // An older agent's events carry no seq: recorded as they come.
    await hb({ events: [{ at, replica: ids[0], kind: "healthy" }] });
    await expect(hb({ events: [{ ...pulled, seq: 0 }] })).rejects.toMatchObject({ status: 422, problem: { field: expect.stringContaining("seq") } });
    const page = await owner.api.get<Page>(`/v1/clusters/${name}/events?workload=w`);
    expect(page.events.filter((e) => e.source === "agent").map((e) => e.kind)).toEqual(["pulled", "started", "exited", "healthy"]);
  });

  it("keeps only a node's own replicas' events and refuses bad input", async () => {
    const { name, owner, ids, hb } = await deployed();
    const other = await joinNode(owner.api, name);
    await other.api.post(`/v1/clusters/${name}/nodes/${other.signer.address}/heartbeat`, {
      usage: { cpu_millis: 0, memory_mb: 0 },
      events: [{ at: new Date().toISOString(), replica: ids[0], kind: "exited", reason: "forged" }],
    });
    const page = await owner.api.get<Page>(`/v1/clusters/${name}/events?workload=w`);
    expect(page.events.some((e) => e.reason === "forged")).toBe(false);

    await expect(hb({ events: [{ at: "yesterday", replica: ids[0], kind: "exited" }] })).rejects.toMatchObject({ status: 422, problem: { field: expect.stringContaining("events") } });
    await expect(owner.api.get(`/v1/clusters/${name}/events?after=zzz`)).rejects.toMatchObject({ status: 400, problem: { field: "after" } });
    await expect(owner.api.get(`/v1/clusters/${name}/events?wait=99`)).rejects.toMatchObject({ status: 400, problem: { field: "wait" } });
    await expect(owner.api.get(`/v1/clusters/${name}/events?workload=Bad_Name`)).rejects.toMatchObject({ status: 400, problem: { field: "workload" } });
    expect((await owner.api.get<Page>(`/v1/clusters/${name}/events?workload=not-yet`)).events).toEqual([]);
    const stranger = await wallet();
    await expect(stranger.api.get(`/v1/clusters/${name}/events`)).rejects.toMatchObject({ status: 404 });
  });

  it("a long poll with a cursor is answered as soon as an event arrives", async () => {
    const { name, owner, ids, hb } = await deployed();
    const { cursor } = await owner.api.get<Page>(`/v1/clusters/${name}/events?workload=w`);
    const t0 = Date.now();
    const held = owner.api.get<Page>(`/v1/clusters/${name}/events?workload=w&after=${cursor}&wait=20`);
    // Either order answers correctly; the pause makes the poll be the one waiting, as in real use.
    await new Promise((r) => setTimeout(r, 200));
    await hb({ events: [{ at: new Date().toISOString(), replica: ids[0], kind: "started" }] });
    const page = await held;
    expect(page.events.map((e) => e.kind)).toEqual(["started"]);
    expect(Date.now() - t0).toBeLessThan(10_000);
    // And one with nothing to report ends when its wait does.
    const t1 = Date.now();
    const empty = await owner.api.get<Page>(`/v1/clusters/${name}/events?after=${page.cursor}&wait=1`);
    expect(empty.events).toEqual([]);
    expect(Date.now() - t1).toBeGreaterThanOrEqual(900);
  });
});
