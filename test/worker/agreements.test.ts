import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ApiError } from "../../protocol/api-client.ts";
import { joinNode, newCluster, wallet } from "./helpers.ts";
import seed from "../fixtures/agreements/seed-service-agreement.yaml?raw";

type R = { id: string; node: string; spec_version: number; status: string; workload?: string };
type Result = { name: string; type: string; action: string; version: number; hash: string; previous_hash: string | null; workloads: { name: string; action: string; changed: string[]; changes?: { field: string; from?: unknown; to?: unknown }[] }[]; pending_waves: string[][]; registered?: string[] };

const YAML = "application/yaml";

async function setup(config: Record<string, unknown> = {}) {
  const { name, owner } = await newCluster(config);
  const nodes = await Promise.all([1, 2].map(() => joinNode(owner.api, name)));
  const byAddr = new Map(nodes.map((n) => [n.signer.address, n]));
  const base = `/v1/clusters/${name}/agreements`;
  const apply = (doc: string, q = "") => owner.api.sendText<{ results: Result[] }>("POST", `${base}${q}`, doc, YAML);
  const refusal = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      if (e instanceof ApiError) return e;
      throw e;
    }
    throw new Error("accepted");
  };
  const workloads = async () => (await owner.api.get<{ workloads: { workload: { spec: { name: string; image: string; replicas: number; env: Record<string, string> }; version: number }; replicas: R[] }[] }>(`/v1/clusters/${name}/workloads`)).workloads;
  /** Heartbeats "running" (and healthy) for every placed replica of `workload`. */
  const run = async (workload: string) => {
    const w = (await workloads()).find((x) => x.workload.spec.name === workload);
    for (const r of w?.replicas.filter((x) => x.node) ?? []) {
      await byAddr.get(r.node)!.api.post(`/v1/clusters/${name}/nodes/${r.node}/heartbeat`, { usage: { cpu_millis: 0, memory_mb: 0 }, containers: [{ replica: r.id, status: "running", healthy: true }] });
    }
  };
  /** Heartbeats "exited" for the replicas of `workload` (their agents stopped them). */
  const stopped = async (workload: string) => {
    const w = (await workloads()).find((x) => x.workload.spec.name === workload);
    for (const r of w?.replicas.filter((x) => x.node) ?? []) {
      await byAddr.get(r.node)!.api.post(`/v1/clusters/${name}/nodes/${r.node}/heartbeat`, { usage: { cpu_millis: 0, memory_mb: 0 }, containers: [{ replica: r.id, status: "exited", exit_code: 0 }] });
    }
  };
  const progress = () => env.CLUSTER.get(env.CLUSTER.idFromName(name)).progressAgreementsNow();
  const audit = async () => (await owner.api.get<{ entries: { event: string; subject: string; details: Record<string, unknown> }[] }>(`/v1/clusters/${name}/audit?limit=1000`)).entries;
  return { name, owner, base, apply, refusal, workloads, run, stopped, progress, audit };
}

const docklock = (image: string, replicas = 2, extra = "") => `name: dl-web\nimage: ${image}\nreplicas: ${replicas}\nenv:\n  MODE: one\n${extra}`;

describe("agreements API", () => {
  it("apply creates, is idempotent, updates as a rolling update, keeps versions by hash, rolls back and deletes only what it created", async () => {
    const { name, owner, base, apply, workloads, audit } = await setup();
    const first = (await apply(docklock("oci:/x:v1"))).results[0];
    expect(first).toMatchObject({ name: "dl-web", type: "docklock", action: "created", version: 1, previous_hash: null, workloads: [{ name: "dl-web", action: "create" }] });
    expect(first.hash).toMatch(/^blake3:[0-9a-f]{64}$/);
    // the same document (even reformatted, as JSON) is unchanged: the hash is of its JCS
    const again = (await owner.api.sendText<{ results: Result[] }>("POST", base, JSON.stringify({ env: { MODE: "one" }, replicas: 2, image: "oci:/x:v1", name: "dl-web" }), "application/json")).results[0];
    expect(again).toMatchObject({ action: "unchanged", version: 1, hash: first.hash });

    // a workload outside it is never touched
    await owner.api.post(`/v1/clusters/${name}/workloads`, { name: "hand-made", image: "oci:/x:v1" });
    const dry = (await apply(docklock("oci:/x:v2"), "?dry_run=true")).results[0];
    expect(dry).toMatchObject({ action: "configured", dry_run: true, workloads: [{ name: "dl-web", action: "update", changed: ["image"] }] });
    expect((await workloads()).find((w) => w.workload.spec.name === "dl-web")!.workload.spec.image).toBe("oci:/x:v1");

    const second = (await apply(docklock("oci:/x:v2"))).results[0];
    expect(second).toMatchObject({ action: "configured", version: 2, previous_hash: first.hash });
    const w2 = (await workloads()).find((w) => w.workload.spec.name === "dl-web")!;
    expect(w2.workload).toMatchObject({ version: 2, spec: { image: "oci:/x:v2" } });
    const rollout = await owner.api.get<{ rollout: { status: string } | null }>(`/v1/clusters/${name}/workloads/dl-web/rollout`);
    expect(rollout.rollout?.status).toBe("progressing"); // replicas are replaced step by step

    const history = (await owner.api.get<{ versions: { version: number; hash: string; author: string; current: boolean }[] }>(`${base}/dl-web/versions`)).versions;
    expect(history.map((v) => [v.version, v.hash, v.author, v.current])).toEqual([[1, first.hash, owner.signer.address, false], [2, second.hash, owner.signer.address, true]]);

    const back = await owner.api.post<Result>(`${base}/dl-web/rollback`, { version: "previous" });
    expect(back).toMatchObject({ version: 1, hash: first.hash, previous_hash: second.hash });
    expect((await workloads()).find((w) => w.workload.spec.name === "dl-web")!.workload.spec.image).toBe("oci:/x:v1");
    const shown = await owner.api.get<{ version: number; hash: string; documents: unknown[]; status: string }>(`${base}/dl-web`);
    expect(shown).toMatchObject({ version: 1, hash: first.hash, documents: [{ name: "dl-web", image: "oci:/x:v1" }] });
    const byHash = await owner.api.post<Result>(`${base}/dl-web/rollback`, { version: second.hash });
    expect(byHash.version).toBe(2);

    const events = (await audit()).filter((e) => e.event.startsWith("Agreement"));
    expect(events.map((e) => e.event)).toEqual(["AgreementDeployed", "AgreementUpdated", "AgreementRolledBack", "AgreementRolledBack"]);
    expect(events[1].details).toMatchObject({ version: 2, hash: second.hash, previous_hash: first.hash });
    expect(events[2].details).toMatchObject({ from_hash: second.hash, to_hash: first.hash });

    const del = await owner.api.delete<{ deleted: string; workloads: string[] }>(`${base}/dl-web`);
    expect(del).toMatchObject({ deleted: "dl-web", workloads: ["dl-web"] });
    // Read first: the record goes at the cluster's next liveness step (every 2 s), which the
    // reads below let pass on a loaded machine.
    const gone = await owner.api.get<{ agreements: { name: string; status: string }[] }>(base);
    expect(gone.agreements).toEqual([expect.objectContaining({ name: "dl-web", status: "removing" })]);
    const left = (await workloads()).map((w) => w.workload.spec.name);
    expect(left).toContain("hand-made");
    expect((await audit()).find((e) => e.event === "AgreementRemoved")).toMatchObject({ subject: "dl-web", details: { hash: second.hash, workloads: ["dl-web"] } });
  });

  it("refuses a malformed document with line and column, an unknown field by path, and changes nothing", async () => {
    const { owner, base, apply, refusal, workloads, audit } = await setup();
    const before = (await audit()).length;
    const bad = await refusal(apply("name: broken\nimage: [oci:/x:v1\nreplicas: 2\n"));
    expect(bad.status).toBe(422);
    expect(bad.problem).toMatchObject({ line: expect.any(Number), column: expect.any(Number) });
    const unknown = await refusal(apply(docklock("oci:/x:v1", 1, "hostNetwork: true\n")));
    expect(unknown.problem).toMatchObject({ status: 422, field: "hostNetwork", line: 6, column: 1 });
    expect(unknown.problem.detail).toMatch(/hostNetwork.*line 6, column 1/);
    // a multi-document body is all or nothing: the valid first document is not applied either
    const mixed = await refusal(apply(`${docklock("oci:/x:v1")}---\nname: other\nimage: oci:/x:v1\nprivileged: true\n`));
    expect(mixed.problem).toMatchObject({ field: "privileged", errors: [{ document: 1 }] });
    expect(await workloads()).toEqual([]);
    expect((await audit()).length).toBe(before);
    const media = await refusal(owner.api.sendText("POST", base, "x", "application/octet-stream"));
    expect(media.status).toBe(415);
  });

  it("deploys a Compose file in depends_on waves and removes it in reverse", async () => {
    const { owner, base, apply, workloads, run, stopped, progress } = await setup();
    const compose = `services:
  db:
    image: oci:/x:v1
    healthcheck: {test: [CMD, "true"], interval: 2s}
  web:
    image: oci:/x:v1
    depends_on: {db: {condition: service_healthy}}
    deploy: {replicas: 2}
`;
    const r = (await apply(compose, "?name=shop")).results[0];
    expect(r).toMatchObject({ name: "shop", type: "compose", action: "created", pending_waves: [["shop-web"]] });
    expect((await workloads()).map((w) => w.workload.spec.name)).toEqual(["shop-db"]);
    await progress();
    expect((await workloads()).map((w) => w.workload.spec.name)).toEqual(["shop-db"]); // db not ready yet
    await run("shop-db");
    await progress();
    expect((await workloads()).map((w) => w.workload.spec.name).sort()).toEqual(["shop-db", "shop-web"]);
    await run("shop-web");
    await progress();
    expect((await owner.api.get<{ status: string; pending_waves: string[][] }>(`${base}/shop`))).toMatchObject({ status: "ready", pending_waves: [] });

    // removal: web first; db only once web is gone
    await owner.api.delete(`${base}/shop`);
    expect((await workloads()).map((w) => w.workload.spec.name).sort()).toEqual(["shop-db", "shop-web"]); // web stopping
    await stopped("shop-web");
    await progress();
    expect((await workloads()).map((w) => w.workload.spec.name)).toEqual(["shop-db"]);
    await stopped("shop-db");
    await progress();
    expect(await workloads()).toEqual([]);
    expect((await owner.api.get<{ agreements: unknown[] }>(base)).agreements).toEqual([]);
  });

  it("CueYaml: the seed's agreement registers its ingress host at the workload's gateway; validate checks security and resources", async () => {
    const { name, owner, base, refusal } = await setup({ quantum_crypto_enabled: true });
    const doc = seed.replace('host: "api.example.com"', `host: "api-${crypto.randomUUID().slice(0, 8)}.example.com"`);
    const v = await owner.api.sendText<{ valid: boolean; agreements: { checks: { check: string; ok: boolean; detail: string }[] }[] }>("POST", `${base}/validate?security_check=true&resource_check=true`, doc, YAML);
    // 3 replicas of 1000m/2Gi fit two nodes of 2 cores and 4 GB
    expect(v.valid).toBe(true);
    expect(v.agreements[0].checks.map((c) => c.check)).toEqual(["schema", "ownership", "security", "resources"]);
    const big = await owner.api.sendText<{ valid: boolean; agreements: { checks: { check: string; ok: boolean; detail: string }[] }[] }>("POST", `${base}/validate?resource_check=true`, doc.replace("replicas: 3", "replicas: 9"), YAML);
    expect(big.valid).toBe(false);
    expect(big.agreements[0].checks.find((c) => !c.ok)!.detail).toMatch(/needs 9000m CPU/);
    const r = (await owner.api.sendText<{ results: Result[] }>("POST", base, doc, YAML)).results[0];
    const host = /host: "([^"]+)"/.exec(doc)![1];
    expect(r).toMatchObject({ name: "secure-web-service", type: "cue-yaml", action: "created", registered: [host] });
    // the registry's read side is D1, filled by the registry DO's outbox
    let reg: { registration: { owner: string; record: { gateway?: { cluster: string; workload: string } } } } | undefined;
    for (let i = 0; i < 50 && !reg; i++) {
      reg = await owner.api.get<typeof reg>(`/v1/registry/httpcg/${host}`).catch(() => undefined);
      if (!reg) await new Promise((r) => setTimeout(r, 100));
    }
    expect(reg!.registration).toMatchObject({ owner: owner.signer.address, record: { gateway: { cluster: name, workload: "web-api" } } });
    const pinned = await refusal(owner.api.sendText("POST", `${base}?target_nodes=bpi1abc`, doc, YAML));
    expect(pinned.problem.field).toBe("target_nodes");
  });

  it("--target-nodes pins every workload to the named nodes; an unknown node is a 422 naming it; plain workloads take constraints.nodes too", async () => {
    const { name, owner, base, apply, refusal, workloads } = await setup();
    const nodes = (await owner.api.get<{ nodes: { address: string }[] }>(`/v1/clusters/${name}/nodes`)).nodes.map((n) => n.address);
    expect(nodes).toHaveLength(2);
    const [pin, other] = nodes as [string, string];
    // without a pin, 4 replicas spread over both nodes; pinned, all on one
    const r = (await apply(docklock("oci:/x:v1", 4), `?target_nodes=${pin}`)).results[0];
    expect(r).toMatchObject({ action: "created", workloads: [{ name: "dl-web", action: "create" }] });
    const w = (await workloads()).find((x) => x.workload.spec.name === "dl-web")!;
    expect(w.replicas.map((x) => x.node)).toEqual([pin, pin, pin, pin]);
    expect((w.workload.spec as { constraints?: unknown }).constraints).toEqual({ nodes: [pin] });
    const shown = await owner.api.get<{ compiled: { target_nodes?: string[] } }>(`${base}/dl-web`);
    expect(shown.compiled.target_nodes).toEqual([pin]);
    // the pin is part of the version: the same document pinned elsewhere is an update
    expect((await apply(docklock("oci:/x:v1", 4), `?target_nodes=${pin}`)).results[0].action).toBe("unchanged");
    expect((await apply(docklock("oci:/x:v1", 4), `?target_nodes=${other},${pin}&dry_run=true`)).results[0]).toMatchObject({ action: "configured", workloads: [{ action: "update", changed: ["constraints"] }] });

    // a node the cluster does not have: refused naming the field, nothing changes
    const stranger = (await wallet()).signer.address;
    const before = await workloads();
    const unknown = await refusal(apply(docklock("oci:/x:v2", 4), `?target_nodes=${pin},${stranger}`));
    expect(unknown.status).toBe(422);
    expect(unknown.problem.field).toMatch(/^target_nodes\.\d$/);
    expect(unknown.problem.detail).toContain(stranger);
    expect(await workloads()).toEqual(before);
    const v = await owner.api.sendText<{ valid: boolean; agreements: { checks: { check: string; ok: boolean; field?: string }[] }[] }>("POST", `${base}/validate?target_nodes=${stranger}`, docklock("oci:/x:v1"), YAML);
    expect(v.valid).toBe(false);
    expect(v.agreements[0].checks.find((c) => !c.ok)).toMatchObject({ check: "schema", field: "target_nodes.0" });
    expect((await refusal(apply(docklock("oci:/x:v1"), "?target_nodes=node-1"))).problem.field).toBe("target_nodes");

    // a plain workload: constraints.nodes is the same placement filter
    await owner.api.post(`/v1/clusters/${name}/workloads`, { name: "plain", image: "oci:/x:v1", replicas: 3, constraints: { nodes: [other] } });
    const plain = (await workloads()).find((x) => x.workload.spec.name === "plain")!;
    expect(plain.replicas.map((x) => x.node)).toEqual([other, other, other]);
    const bad = await refusal(owner.api.post(`/v1/clusters/${name}/workloads`, { name: "plain2", image: "oci:/x:v1", constraints: { nodes: [stranger] } }));
    expect(bad.status).toBe(422);
    expect(bad.problem.field).toBe("constraints.nodes.0");
    expect((await workloads()).some((x) => x.workload.spec.name === "plain2")).toBe(false);
  });
});
