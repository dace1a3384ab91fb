import { describe, expect, it } from "vitest";
import { joinNode, newCluster } from "./helpers.ts";

type R = { id: string; node: string; spec_version: number; status: string };
type Rollout = { version: number; rollout: { status: string; reason?: string; from_version: number; to_version: number } | null; replicas: { version: number; total: number; ready: number }[] };

async function setup(extra: Record<string, unknown> = {}) {
  const { name, owner } = await newCluster();
  const nodes = await Promise.all([1, 2].map(() => joinNode(owner.api, name)));
  const byAddr = new Map(nodes.map((n) => [n.signer.address, n]));
  const spec = { name: "web", image: "oci:/x:v1", replicas: 2, resources: { cpu_millis: 100, memory_mb: 32 }, ...extra };
  await owner.api.post(`/v1/clusters/${name}/workloads`, spec);
  const base = `/v1/clusters/${name}/workloads/web`;
  const list = async () => (await owner.api.get<{ replicas: R[] }>(base)).replicas;
  /** Heartbeats "running" for the replicas `filter` picks (each from its own node). */
  const report = async (filter: (r: R) => boolean) => {
    for (const r of (await list()).filter(filter)) {
      await byAddr.get(r.node)!.api.post(`/v1/clusters/${name}/nodes/${r.node}/heartbeat`, {
        usage: { cpu_millis: 0, memory_mb: 0 },
        containers: [{ replica: r.id, status: "running" }],
      });
    }
  };
  const until = async <T>(what: string, fn: () => Promise<T | false>, ms = 10_000): Promise<T> => {
    const end = Date.now() + ms;
    for (;;) {
      const v = await fn();
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out: ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return { name, owner, nodes, spec, base, list, report, until };
}

describe("rolling update", () => {
  it("replaces one replica at a time: a new one runs before an old one drains, and the drained ones leave after the gateway stopped choosing them", async () => {
    const { name, owner, nodes, spec, base, list, report, until } = await setup();
    await report(() => true);
    const v1 = (await list()).map((r) => r.id);
    const started = await owner.api.put<{ workload: { version: number }; replicas: R[]; changed: string[] }>(base, { ...spec, image: "oci:/x:v2" });
    expect(started.workload.version).toBe(2);
    expect(started.changed).toEqual(["image"]);
    expect(started.replicas.filter((r) => r.spec_version === 1)).toHaveLength(2); // old ones still serve
    expect(started.replicas.filter((r) => r.spec_version === 2)).toHaveLength(1); // max_surge 1

    // The node's desired state carries each replica's own version of the spec.
    const d = await Promise.all(nodes.map((n) => n.api.get<{ replicas: { spec: { image: string } }[] }>(`/v1/clusters/${name}/nodes/${n.signer.address}/desired?wait=0`)));
    expect(new Set(d.flatMap((x) => x.replicas.map((r) => r.spec.image)))).toEqual(new Set(["oci:/x:v1", "oci:/x:v2"]));

    await report((r) => r.spec_version === 2); // the first new one is up
    let rs = await list();
    expect(rs.filter((r) => r.spec_version === 1 && r.status === "stopping")).toHaveLength(1); // one old one drains
    expect(rs.filter((r) => r.spec_version === 2)).toHaveLength(2);
    const status = await owner.api.get<Rollout>(`${base}/rollout`);
    expect(status.rollout).toMatchObject({ status: "progressing", from_version: 1, to_version: 2 });
    // The gateway no longer offers the draining one.
    const stopping = rs.find((r) => r.status === "stopping")!;
    const ds = await owner.api.get<Rollout>(`${base}/rollout`);
    expect(ds.replicas.find((v) => v.version === 1)!.total).toBe(1);
    expect(stopping.spec_version).toBe(1);

    await report((r) => r.spec_version === 2 && r.status !== "running");
    rs = await until("only version 2 left", async () => {
      const now = await list();
      return now.every((r) => r.spec_version === 2) && now;
    });
    expect(rs).toHaveLength(2);
    expect(rs.some((r) => v1.includes(r.id))).toBe(false);
    expect((await owner.api.get<Rollout>(`${base}/rollout`)).rollout!.status).toBe("complete");
    const { entries } = await owner.api.get<{ entries: { event: string }[] }>(`/v1/clusters/${name}/audit?limit=1000`);
    expect(entries.map((e) => e.event)).toEqual(expect.arrayContaining(["WorkloadUpdated", "RolloutCompleted"]));
    await expect(owner.api.put(base, { ...spec, name: "other" })).rejects.toMatchObject({ status: 422, problem: { field: "name" } });
  });

  it("an update that changes no container (replica count, restart policy) keeps every replica and needs no rollout", async () => {
    const { owner, spec, base, list, report } = await setup();
    await report(() => true);
    const before = (await list()).map((r) => r.id);
    const res = await owner.api.put<{ workload: { version: number }; replicas: R[]; changed: string[] }>(base, { ...spec, replicas: 3, restart: "always" });
    expect(res.changed).toEqual(["replicas", "restart"]);
    expect(res.workload.version).toBe(2);
    const ids = res.replicas.map((r) => r.id);
    expect(ids.slice(0, 2)).toEqual(before); // same replicas, moved to version 2 in place
    expect(res.replicas.every((r) => r.spec_version === 2)).toBe(true);
    expect(ids).toHaveLength(3);
    expect((await owner.api.get<Rollout>(`${base}/rollout`)).rollout).toBeNull();
  });

  it("a PUT of the spec the workload already has changes nothing: no version, no audit entry", async () => {
    const { name, owner, spec, base, list, report } = await setup();
    await report(() => true);
    const before = await list();
    const audit = async () => (await owner.api.get<{ entries: { event: string }[] }>(`/v1/clusters/${name}/audit?limit=1000`)).entries.filter((e) => e.event === "WorkloadUpdated").length;
    const res = await owner.api.put<{ workload: { version: number }; replicas: R[]; changed: string[] }>(base, spec);
    expect(res.changed).toEqual([]);
    expect(res.workload.version).toBe(1);
    expect(res.replicas.map((r) => [r.id, r.spec_version])).toEqual(before.map((r) => [r.id, 1]));
    expect(await audit()).toBe(0);
    // The next real change is version 2 and recorded.
    expect((await owner.api.put<{ workload: { version: number } }>(base, { ...spec, replicas: 3 })).workload.version).toBe(2);
    expect(await audit()).toBe(1);
  });

  it("a new replica that is not ready within the deadline halts the rollout and keeps the old replicas", async () => {
    const { owner, spec, base, list, report, until } = await setup({ rollout: { progress_deadline_s: 1 } });
    await report(() => true);
    await owner.api.put(base, { ...spec, image: "oci:/x:broken" });
    const halted = await until("the rollout to halt", async () => {
      await report((r) => r.spec_version === 1); // heartbeats keep coming; the new one never runs
      const s = await owner.api.get<Rollout>(`${base}/rollout`);
      return s.rollout?.status === "halted" && s;
    });
    expect(halted.rollout!.reason).toMatch(/^web-3 not ready within 1s \(pending/);
    const rs = await list();
    expect(rs.map((r) => [r.spec_version, r.status])).toEqual([[1, "running"], [1, "running"]]);
    const { entries } = await owner.api.get<{ entries: { event: string; details: { reason?: string } }[] }>(`${base.split("/workloads")[0]}/audit?limit=1000`);
    expect(entries.some((e) => e.event === "RolloutHalted" && /web-3 not ready/.test(e.details.reason ?? ""))).toBe(true);
  });

  it("keeps every version: history, undo to the previous or a named version, pause and resume, restart", async () => {
    const { owner, spec, base, list, report, until } = await setup();
    await report(() => true);
    await owner.api.put(base, { ...spec, env: { A: "1" } });
    const finish = () => until("the rollout to finish", async () => {
      await report((r) => r.status !== "stopping");
      const s = await owner.api.get<Rollout>(`${base}/rollout`);
      return s.rollout?.status === "complete" && s.replicas.length === 1 && (await list()).every((r) => r.status !== "stopping") && s;
    });
    await finish();
    await owner.api.put(base, { ...spec, env: { A: "1" }, image: "oci:/x:v2" });
    await finish();
    const { versions } = await owner.api.get<{ versions: { version: number; cause: string; image: string; changed: string[]; current: boolean }[] }>(`${base}/rollout/history`);
    expect(versions.map((v) => [v.version, v.cause, v.image, v.changed.join(","), v.current])).toEqual([
      [1, "deploy", "oci:/x:v1", "", false],
      [2, "update", "oci:/x:v1", "env", false],
      [3, "update", "oci:/x:v2", "image", true],
    ]);

    const undone = await owner.api.post<Rollout & { changed: string[] }>(`${base}/rollout/undo`, {});
    expect(undone).toMatchObject({ version: 4, changed: ["image"], rollout: { status: "progressing", from_version: 3, to_version: 4 } });
    const paused = await owner.api.post<Rollout>(`${base}/rollout/pause`, {});
    expect(paused.rollout).toMatchObject({ status: "paused" });
    const held = (await list()).length;
    await report(() => true);
    expect((await list()).length).toBe(held); // nothing moves while paused
    await expect(owner.api.post(`${base}/rollout/pause`, {})).rejects.toMatchObject({ status: 409 });
    expect((await owner.api.post<Rollout>(`${base}/rollout/resume`, {})).rollout!.status).toBe("progressing");
    await finish();
    const spec4 = await owner.api.get<{ workload: { spec: { image: string; env: Record<string, string> } } }>(base);
    expect(spec4.workload.spec).toMatchObject({ image: "oci:/x:v1", env: { A: "1" } });

    const to1 = await owner.api.post<Rollout>(`${base}/rollout/undo`, { to_version: 1 });
    expect(to1.version).toBe(5);
    await finish();
    expect((await owner.api.get<{ workload: { spec: { env: Record<string, string> } } }>(base)).workload.spec.env).toEqual({});

    const before = (await list()).map((r) => r.id);
    const restarted = await owner.api.post<Rollout>(`${base}/rollout/restart`, {});
    expect(restarted.version).toBe(6);
    await finish();
    expect((await list()).some((r) => before.includes(r.id))).toBe(false);

    await expect(owner.api.post(`${base}/rollout/undo`, { to_version: 99 })).rejects.toMatchObject({ status: 404, problem: { field: "to_version" } });
    await expect(owner.api.post(`${base}/rollout/pause`, { to_version: 1 })).rejects.toMatchObject({ status: 422, problem: { field: "to_version" } });
    await expect(owner.api.post(`${base}/rollout/explode`, {})).rejects.toMatchObject({ status: 400, problem: { field: "action" } });
    const { entries } = await owner.api.get<{ entries: { event: string }[] }>(`${base.split("/workloads")[0]}/audit?limit=1000`);
    const events = entries.map((e) => e.event);
    for (const ev of ["RolloutUndone", "RolloutPaused", "RolloutResumed", "RolloutRestarted", "RolloutCompleted"]) expect(events).toContain(ev);
    // One entry per version: WorkloadDeployed, WorkloadUpdated for 2-5, RolloutRestarted for 6.
    expect(events.filter((e) => e === "WorkloadUpdated")).toHaveLength(4);
  });
});
