// `enc logs --since/--timestamps/--previous` on the server: each chunk keeps when the agent read
// it and which container wrote it. And RESTARTS that survive a container's re-creation.
import { describe, expect, it } from "vitest";
import { toBase64, utf8 } from "../../protocol/bytes.ts";
import { joinNode, newCluster } from "./helpers.ts";

type Log = { replica: string; stream: string; offset: number; text: string; times?: { offset: number; at: string }[] };

async function setup() {
  const { name, owner } = await newCluster();
  const a = await joinNode(owner.api, name);
  const spec = { name: "web", image: "oci:/srv/images/busybox:latest", command: ["/bin/sh"], replicas: 1, resources: { cpu_millis: 100, memory_mb: 64 } };
  const res = await owner.api.post<{ replicas: { id: string; container: string }[] }>(`/v1/clusters/${name}/workloads`, spec);
  const id = res.replicas[0].id;
  const push = (entries: object[]) => a.api.post(`/v1/clusters/${name}/nodes/${a.signer.address}/logs`, { entries });
  const heartbeat = (containers: object[]) => a.api.post(`/v1/clusters/${name}/nodes/${a.signer.address}/heartbeat`, { usage: { cpu_millis: 1, memory_mb: 1 }, containers });
  const logs = async (q: string) => (await owner.api.get<{ logs: Log[] }>(`/v1/clusters/${name}/workloads/web/logs?${q}`)).logs;
  return { name, owner, id, push, heartbeat, logs };
}

const T0 = Date.parse("2026-01-02T10:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();

describe("logs with times and containers", () => {
  it("--since keeps newer chunks (a line cut by the boundary goes), --timestamps answers each chunk's time, --previous the container before", async () => {
    const { id, push, heartbeat, logs } = await setup();
    const b64 = (s: string) => toBase64(utf8(s));
    await push([
      { replica: id, stream: "stdout", offset: 0, data: b64("one\ntw"), at: iso(T0), container: "c1" },
      { replica: id, stream: "stdout", offset: 6, data: b64("o\nthree\n"), at: iso(T0 + 60_000), container: "c1" },
    ]);
    await heartbeat([{ replica: id, status: "running", restarts: 1, container: "c2" }]);
    await push([{ replica: id, stream: "stdout", offset: 14, data: b64("four\n"), at: iso(T0 + 120_000), container: "c2" }]);

    expect(await logs("")).toEqual([{ replica: id, stream: "stdout", offset: 0, text: "one\ntwo\nthree\nfour\n" }]);
    // "two" began before the boundary: dropped with its chunk's older part.
    expect(await logs(`since=${iso(T0 + 30_000)}`)).toEqual([{ replica: id, stream: "stdout", offset: 8, text: "three\nfour\n" }]);
    expect(await logs(`since=${iso(T0 + 200_000)}`)).toEqual([]);
    const stamped = await logs(`since=${encodeURIComponent("2026-01-02T11:00:30+01:00")}&timestamps=true`);
    expect(stamped).toEqual([
      {
        replica: id,
        stream: "stdout",
        offset: 8,
        text: "three\nfour\n",
        times: [
          { offset: 8, at: iso(T0 + 60_000) },
          { offset: 14, at: iso(T0 + 120_000) },
        ],
      },
    ]);
    // The tail (bytes) starts inside the second chunk: its time is the first.
    expect((await logs("tail=3&timestamps=true"))[0]).toMatchObject({ offset: 16, text: "ur\n", times: [{ offset: 16, at: iso(T0 + 120_000) }] });
    // The current container is c2 (from the heartbeat): the previous one is c1.
    expect(await logs("previous=true")).toEqual([{ replica: id, stream: "stdout", offset: 0, text: "one\ntwo\nthree\n" }]);
    expect(await logs(`previous=true&replica=${id}&tail=6`)).toEqual([{ replica: id, stream: "stdout", offset: 8, text: "three\n" }]);
  });

  it("--previous without an earlier container is a 404 naming previous; bad since/previous are 400 problems naming the field", async () => {
    const { owner, name, id, push, logs } = await setup();
    await push([{ replica: id, stream: "stdout", offset: 0, data: toBase64(utf8("x\n")) }]);
    const url = `/v1/clusters/${name}/workloads/web/logs`;
    await expect(owner.api.get(`${url}?previous=true&replica=${id}`)).rejects.toMatchObject({ status: 404, problem: { field: "previous" } });
    expect(await logs("previous=true")).toEqual([]);
    await expect(owner.api.get(`${url}?since=5m`)).rejects.toMatchObject({ status: 400, problem: { field: "since" } });
    await expect(owner.api.get(`${url}?since=2026-01-02`)).rejects.toMatchObject({ status: 400, problem: { field: "since" } });
    await expect(owner.api.get(`${url}?previous=yes`)).rejects.toMatchObject({ status: 400, problem: { field: "previous" } });
    await expect(owner.api.get(`${url}?timestamps=1`)).rejects.toMatchObject({ status: 400, problem: { field: "timestamps" } });
    // Chunks from agents that sent no time are left out by --since (their time is unknown).
    expect(await logs(`since=${iso(T0)}`)).toEqual([]);
  });

  it("a node's log entry with a bad time is refused, naming the field, and nothing is stored", async () => {
    const { id, push, logs } = await setup();
    await expect(push([{ replica: id, stream: "stdout", offset: 0, data: toBase64(utf8("x\n")), at: "yesterday" }])).rejects.toMatchObject({
      status: 422,
      problem: { field: "entries[0].at" },
    });
    expect(await logs("")).toEqual([]);
  });
});

describe("RESTARTS across re-creation", () => {
  it("a count that falls back (the container was re-created) adds on; the replica's count never drops", async () => {
    const { owner, name, id, heartbeat } = await setup();
    const restarts = async () => (await owner.api.get<{ replicas: { id: string; restarts: number }[] }>(`/v1/clusters/${name}/workloads/web`)).replicas[0].restarts;
    await heartbeat([{ replica: id, status: "running", restarts: 2, container: "c3" }]);
    expect(await restarts()).toBe(2);
    await heartbeat([{ replica: id, status: "running", restarts: 2, container: "c3" }]);
    expect(await restarts()).toBe(2);
    // Re-created (another node, lost records): the agent counts from 0 again.
    await heartbeat([{ replica: id, status: "running", restarts: 0, container: "c4" }]);
    expect(await restarts()).toBe(3);
    await heartbeat([{ replica: id, status: "running", restarts: 1, container: "c5" }]);
    expect(await restarts()).toBe(4);
    // A new replica (what a rollout makes) starts at 0.
    await owner.api.post(`/v1/clusters/${name}/workloads/web/scale`, { replicas: 2 });
    const all = (await owner.api.get<{ replicas: { id: string; restarts: number }[] }>(`/v1/clusters/${name}/workloads/web`)).replicas;
    expect(all.map((r) => [r.id === id, r.restarts])).toEqual(expect.arrayContaining([[true, 4], [false, 0]]));
  });

  it("a replica that ran and moved to another node before any restart counts one restart, once", async () => {
    const { owner, name, id, heartbeat } = await setup();
    const b = await joinNode(owner.api, name);
    const replica = async () => (await owner.api.get<{ replicas: { id: string; restarts: number; node: string | null }[] }>(`/v1/clusters/${name}/workloads/web`)).replicas.find((r) => r.id === id)!;
    await heartbeat([{ replica: id, status: "running", restarts: 0, container: "c1" }]);
    const from = (await replica()).node!;
    await owner.api.post(`/v1/clusters/${name}/nodes/${from}/drain`, {});
    const moved = await replica();
    expect(moved.node).toBe(b.signer.address);
    expect(moved.restarts).toBe(0);
    await b.api.post(`/v1/clusters/${name}/nodes/${b.signer.address}/heartbeat`, { usage: { cpu_millis: 1, memory_mb: 1 }, containers: [{ replica: id, status: "running", restarts: 0, container: "c1" }] });
    expect((await replica()).restarts).toBe(1);
    await b.api.post(`/v1/clusters/${name}/nodes/${b.signer.address}/heartbeat`, { usage: { cpu_millis: 1, memory_mb: 1 }, containers: [{ replica: id, status: "running", restarts: 0, container: "c1" }] });
    expect((await replica()).restarts).toBe(1);
  });
});
