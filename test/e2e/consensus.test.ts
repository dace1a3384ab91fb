// Consensus placement end to end: three real agents, all validators (k = 2 of 3) that also run
// workloads, against the real Worker. A deploy runs only after two validators approved it, and
// each approval verifies with the protocol code; a placement on a node whose signed heartbeat
// offers too little memory is refused by the validators and never runs; the host of a replica
// dies and the replica heals on another node through a new, approved round.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PlacementView } from "../../protocol/api/placement.ts";
import { checkQuorum, verifyPlacementApproval, verifyPlacementRefusal } from "../../protocol/placement-approval.ts";
import { buildBusyboxImage, type BuiltImage } from "../fixtures/image-builder.ts";
import { cleanup, runcIds, tempDir } from "../agent/helpers.ts";
import { encCli, runAgentOnce, spawnAgent, startCluster, waitFor, type AgentProcess, type TestCluster } from "./agent-harness.ts";

const TTL_S = 3;
const GRACE_S = 2;
const NAME = "consensus-e2e";
let work: string;
let image: BuiltImage;
let cluster: TestCluster;
const agents: { dir: string; address: string; proc: AgentProcess }[] = [];

type R = { id: string; node: string | null; status: string; reason?: string };
type Placements = { quorum: number; validators: string[]; placements: PlacementView[] };
const replicas = async (w: string) => (await cluster.api.get<{ replicas: R[] }>(`/v1/clusters/${NAME}/workloads/${w}`)).replicas;
const placements = (w: string) => cluster.api.get<Placements>(`/v1/clusters/${NAME}/workloads/${w}/placements`);
const keyOf = (p: PlacementView) => ({ cluster: NAME, workload: p.workload, replica: p.replica, node: p.node, spec_hash: p.spec_hash, round: p.round });

beforeAll(async () => {
  work = tempDir("e2e-consensus");
  image = buildBusyboxImage(path.join(work, "busybox"));
  // The validators' keys exist before the cluster: its config names them (epoch 1 of the set).
  const dirs = [0, 1, 2].map((i) => path.join(work, `agent-${i}`));
  const addresses: string[] = [];
  for (const dir of dirs) {
    const k = await runAgentOnce(["key", "--data-dir", dir]);
    expect(k.code, k.output).toBe(0);
    addresses.push(k.output.trim());
  }
  cluster = await startCluster(NAME, { heartbeat_ttl_s: TTL_S, heartbeat_grace_s: GRACE_S, placement: { mode: "consensus", quorum: 2, validators: addresses } });
  for (const [i, dir] of dirs.entries()) {
    const pool = i < 2 ? "main" : "small";
    const r = await runAgentOnce(["join", "--url", cluster.url, "--cluster", NAME, "--token", await cluster.token(), "--data-dir", dir, "--node-type", "validator", "--label", `pool=${pool}`]);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain("pinned validator set epoch 1, 2 of 3 validators");
    const range = `${33_000 + i * 200}-${33_199 + i * 200}`;
    // The small node offers 100 MiB in its signed heartbeats, whatever it joined with.
    const extra = i === 2 ? ["--capacity-memory-mb", "100"] : [];
    agents.push({ dir, address: addresses[i], proc: spawnAgent(["run", "--data-dir", dir, "--heartbeat-s", "1", "--port-range", range, ...extra]) });
  }
  await waitFor("three nodes heard from", async () => {
    const { nodes } = await cluster.api.get<{ nodes: { last_heartbeat: string | null }[] }>(`/v1/clusters/${NAME}/nodes`);
    return nodes.length === 3 && nodes.every((n) => n.last_heartbeat);
  }, 30_000);
});

afterAll(async () => {
  for (const a of agents) await a.proc.kill();
  await cluster?.stop();
  for (const a of agents) cleanup(a.dir);
  cleanup(undefined, work);
});

describe("consensus placement with real agents", () => {
  let web: R;

  it("runs a deploy only after k approvals, each verifying with the protocol code", async () => {
    await cluster.api.post(`/v1/clusters/${NAME}/workloads`, {
      name: "web", image: image.ref, command: ["sleep", "3600"], restart: "always",
      resources: { cpu_millis: 100, memory_mb: 16 }, constraints: { labels: { pool: "main" } },
    });
    [web] = await waitFor("web running", async () => {
      const rs = await replicas("web");
      return rs[0]?.status === "running" && rs;
    }, 40_000);
    const view = await placements("web");
    const [round] = view.placements;
    expect(round).toMatchObject({ replica: web.id, node: web.node, round: 1, status: "committed" });
    expect(round.approvals.length).toBeGreaterThanOrEqual(2);
    for (const a of round.approvals) expect(await verifyPlacementApproval(a)).toEqual({ ok: true });
    expect((await checkQuorum(round.approvals, keyOf(round), view)).ok).toBe(true);
    // The container started after the commit, not before.
    const { events } = await cluster.api.get<{ events: { kind: string; replica?: string; at: string }[] }>(`/v1/clusters/${NAME}/events?workload=web&limit=500`);
    const started = events.find((e) => e.kind === "started" && e.replica === web.id)!;
    expect(Date.parse(started.at)).toBeGreaterThanOrEqual(Date.parse(round.committed_at!));
    // enc placements checks the same offline, with the validators' keys only.
    const cli = await encCli(cluster, path.join(work, "home"), ["placements", "web", "--verify"]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(new RegExp(`${web.id}\\s+1\\s+committed`));
    expect(cli.stdout).toMatch(/verified: 1 committed placement\(s\), each with a quorum of 2 valid approvals/);
    const nodes = await encCli(cluster, path.join(work, "home"), ["nodes"]);
    expect(nodes.stdout).toMatch(/VALIDATOR/);
    expect(nodes.stdout).toContain("validator set epoch 1: 2 of 3 (3 joined)");
  });

  it("blocks a placement the validators refuse: the node's signed heartbeat offers too little memory", async () => {
    await cluster.api.post(`/v1/clusters/${NAME}/workloads`, {
      name: "big", image: image.ref, command: ["sleep", "3600"], resources: { cpu_millis: 100, memory_mb: 200 }, constraints: { labels: { pool: "small" } },
    });
    const refused = await waitFor("big refused", async () => {
      const v = await placements("big");
      return v.placements.find((p) => p.status === "refused");
    }, 30_000);
    expect(refused.node).toBe(agents[2].address);
    expect(refused.approvals.length).toBeLessThan(2);
    expect(refused.refusals.length).toBeGreaterThanOrEqual(2);
    for (const r of refused.refusals) {
      expect(await verifyPlacementRefusal(r)).toEqual({ ok: true });
      expect(r.reason).toMatch(/lacks memory: its signed heartbeat offers 100 MiB/);
    }
    const [big] = await replicas("big");
    expect(big).toMatchObject({ node: null, status: "pending" });
    expect(big.reason).toMatch(/refused by validators/);
    expect(runcIds(agents[2].dir).filter((id) => id.startsWith(big.id))).toEqual([]);
    const ps = await encCli(cluster, path.join(work, "home"), ["ps"]);
    expect(ps.stdout).toContain("big");
    await cluster.api.delete(`/v1/clusters/${NAME}/workloads/big`);
  });

  it("heals a dead host's replica through a new approved round", async () => {
    const victim = agents.find((a) => a.address === web.node)!;
    await victim.proc.kill();
    for (const id of runcIds(victim.dir)) execFileSync("runc", ["--root", path.join(victim.dir, "runc"), "kill", id, "KILL"], { stdio: "ignore" });
    const moved = await waitFor("web running elsewhere", async () => {
      const rs = await replicas("web");
      return rs[0]?.status === "running" && rs[0].node !== victim.address && rs[0];
    }, 60_000, 250);
    const view = await placements("web");
    const latest = view.placements.filter((p) => p.replica === moved.id).at(-1)!;
    expect(latest).toMatchObject({ node: moved.node, status: "committed" });
    expect(latest.round).toBeGreaterThan(1);
    expect(latest.approvals.map((a) => a.validator)).not.toContain(victim.address); // it was down
    expect((await checkQuorum(latest.approvals, keyOf(latest), view)).ok).toBe(true);
  });

  it("changes the validator set from the CLIs: propose, each validator signs with its own key, submit", async () => {
    const home = path.join(work, "home");
    const file = path.join(work, "epoch2.json");
    const [a, b, small] = agents;
    const proposed = await encCli(cluster, home, ["validators", "propose", "--remove", small.address, "--quorum", "2", "-f", file]);
    expect(proposed.code, proposed.stderr).toBe(0);
    expect(proposed.stdout).toContain("epoch 2, quorum 2 of 2");
    // Nothing signed yet: submit refuses before asking the server.
    expect((await encCli(cluster, home, ["validators", "submit", file])).stderr).toMatch(/no signature yet/);
    const one = await runAgentOnce(["validators", "sign", file, "--data-dir", a.dir]);
    expect(one.code, one.output).toBe(0);
    expect(one.output).toContain(`as ${a.address}; 1 signature(s)`);
    // One of k = 2: the control plane refuses and the set stays epoch 1.
    const early = await encCli(cluster, home, ["validators", "submit", file]);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/signed by 1 validator\(s\) of the current set; 2 needed/);
    // A body edited after the proposal is refused by the signer.
    const forged = JSON.parse(fs.readFileSync(file, "utf8"));
    forged.change.quorum = 1;
    fs.writeFileSync(path.join(work, "forged.json"), JSON.stringify(forged));
    const bad = await runAgentOnce(["validators", "sign", path.join(work, "forged.json"), "--data-dir", b.dir]);
    expect(bad.code).not.toBe(0);
    expect(bad.output).toMatch(/change.hash does not match/);
    expect((await runAgentOnce(["validators", "sign", file, "--data-dir", b.dir])).code).toBe(0);
    const done = await encCli(cluster, home, ["validators", "submit", file]);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toContain("now epoch 2: quorum 2 of 2");
    const shown = await encCli(cluster, home, ["validators", "--json"]);
    const v = JSON.parse(shown.stdout) as { validator_set: { epoch: number; validators: string[] }; changes: { signatures: { validator: string }[] }[] };
    expect(v.validator_set.epoch).toBe(2);
    expect(v.validator_set.validators.sort()).toEqual([a.address, b.address].sort());
    expect(v.changes[0].signatures.map((s) => s.validator).sort()).toEqual([a.address, b.address].sort());
  });
});
