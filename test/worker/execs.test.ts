// `enc exec` through the control plane (issue 11): the request is validated and role-checked,
// audited, delivered to exactly the replica's node in its signed desired state (waking its
// long-poll), answered only by that node, and the user's long-poll returns the answer.
import { describe, expect, it } from "vitest";
import { checkDesiredState } from "../../protocol/desired-state.ts";
import { joinNode, newCluster, wallet } from "./helpers.ts";

type Exec = { id: string; status: string; node: string; replica: string; result: { exit_code: number | null; stdout: string; error?: string } | null };

describe("exec relay", () => {
  it("queues, delivers in the signed desired state, and returns the node's answer", async () => {
    const { name, owner } = await newCluster();
    const a = await joinNode(owner.api, name);
    const b = await joinNode(owner.api, name);
    const { replicas } = await owner.api.post<{ replicas: { id: string; node: string }[] }>(`/v1/clusters/${name}/workloads`, { name: "svc", image: "oci:/x:latest" });
    const r = replicas[0]!;
    const mine = r.node === a.signer.address ? a : b;
    const other = mine === a ? b : a;
    const base = `/v1/clusters/${name}/nodes/${mine.signer.address}`;
    const d0 = await mine.api.get<{ version: number; execs?: unknown[] }>(`${base}/desired?wait=0`);
    expect(d0.execs).toBeUndefined(); // nothing waits: the desired state is as before

    // Not running yet: refused, naming the field; then the node reports it running.
    await expect(owner.api.post(`/v1/clusters/${name}/execs`, { replica: r.id, command: ["true"] })).rejects.toMatchObject({ status: 409, problem: { field: "replica" } });
    await mine.api.post(`${base}/heartbeat`, { usage: { cpu_millis: 1, memory_mb: 1 }, containers: [{ replica: r.id, status: "running", container: `${r.id}.1` }] });

    // Bad input: 422 naming the field, nothing queued.
    await expect(owner.api.post(`/v1/clusters/${name}/execs`, { replica: r.id, command: [] })).rejects.toMatchObject({ status: 422, problem: { field: "command" } });
    await expect(owner.api.post(`/v1/clusters/${name}/execs`, { replica: r.id, command: ["x"], timeout_s: 0 })).rejects.toMatchObject({ status: 422, problem: { field: "timeout_s" } });
    await expect(owner.api.post(`/v1/clusters/${name}/execs`, { replica: "nope-1", command: ["x"] })).rejects.toMatchObject({ status: 404, problem: { field: "replica", detail: `no replica nope-1 in cluster ${name}` } });
    const viewer = await wallet();
    await owner.api.post(`/v1/clusters/${name}/roles`, { address: viewer.signer.address, role: "viewer" });
    await expect(viewer.api.post(`/v1/clusters/${name}/execs`, { replica: r.id, command: ["x"] })).rejects.toMatchObject({ status: 403 });

    // The node's waiting long-poll is woken by the request.
    const waiting = mine.api.get<Record<string, unknown>>(`${base}/desired?since=${d0.version + 1}&wait=20`);
    await new Promise((res) => setTimeout(res, 100));
    const t0 = Date.now();
    const { exec } = await owner.api.post<{ exec: Exec }>(`/v1/clusters/${name}/execs`, { replica: r.id, command: ["sh", "-c", "id"], stdin: Buffer.from("in").toString("base64") });
    expect(exec).toMatchObject({ status: "queued", node: mine.signer.address, replica: r.id, result: null });
    const ds = await waiting;
    expect(Date.now() - t0).toBeLessThan(2000);
    const { control_plane } = await owner.api.get<{ control_plane: string }>("/v1/keys");
    const checked = await checkDesiredState(ds, { cluster: name, node: mine.signer.address, controlPlane: control_plane });
    expect(checked.ok).toBe(true);
    expect(checked.ok && checked.state.execs).toEqual([expect.objectContaining({ id: exec.id, replica: r.id, command: ["sh", "-c", "id"], stdin: "aW4=", timeout_s: 60 })]);
    // The other node is not told.
    expect((await other.api.get<{ execs?: unknown[] }>(`/v1/clusters/${name}/nodes/${other.signer.address}/desired?wait=0`)).execs).toBeUndefined();

    // Only the replica's node may answer; the user's long-poll returns the answer.
    const poll = owner.api.get<{ exec: Exec }>(`/v1/clusters/${name}/execs/${exec.id}?wait=20`);
    await expect(other.api.post(`/v1/clusters/${name}/nodes/${other.signer.address}/execs/${exec.id}`, { exit_code: 0 })).rejects.toMatchObject({ status: 404 });
    await expect(other.api.post(`${base}/execs/${exec.id}`, { exit_code: 0 })).rejects.toMatchObject({ status: 403 });
    await expect(mine.api.post(`${base}/execs/${exec.id}`, { exit_code: "0" })).rejects.toMatchObject({ status: 422, problem: { field: "exit_code" } });
    await mine.api.post(`${base}/execs/${exec.id}`, { exit_code: 0, stdout: Buffer.from("uid=0\n").toString("base64"), container: `${r.id}.1` });
    const done = (await poll).exec;
    expect(done).toMatchObject({ status: "done", result: { exit_code: 0, stdout: Buffer.from("uid=0\n").toString("base64") } });
    await expect(mine.api.post(`${base}/execs/${exec.id}`, { exit_code: 1 })).rejects.toMatchObject({ status: 404 }); // answered once
    expect((await mine.api.get<{ execs?: unknown[] }>(`${base}/desired?wait=0`)).execs).toBeUndefined();
    await expect(viewer.api.get(`/v1/clusters/${name}/execs/${exec.id}`)).rejects.toMatchObject({ status: 403 });

    // Audited with the command, never stdin.
    const { entries } = await owner.api.get<{ entries: { event: string; subject: string; details: Record<string, unknown> }[] }>(`/v1/clusters/${name}/audit?limit=1000`);
    const audited = entries.filter((e) => e.event === "ReplicaExec");
    expect(audited).toEqual([expect.objectContaining({ subject: r.id, details: { exec: exec.id, node: mine.signer.address, workload: "svc", command: ["sh", "-c", "id"] } })]);
  });
});
