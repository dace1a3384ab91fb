// CEL policies through the API with signed requests, in workerd against the real ClusterDO: add
// (compiled, a bad expression is a 422 naming expr), list/show/rm, test without changing anything,
// and deny / warn / audit / allow decisions on deploys, updates, scales and role grants, each a
// PolicyDecision entry that verifies in the signed audit chain.
import { describe, expect, it } from "vitest";
import { routes } from "../../protocol/routes.ts";
import { hashCanonical } from "../../protocol/hash.ts";
import { verifyAuditHistory } from "../../protocol/ledger-verify.ts";
import type { ChainHead } from "../../protocol/head.ts";
import type { AuditEntry } from "../../protocol/schemas.ts";
import type { ApiClient } from "../../protocol/api-client.ts";
import { BASE, newCluster, wallet, workerFetch } from "./helpers.ts";

const app = (name: string, over: Record<string, unknown> = {}) => ({ name, image: "oci:/srv/images/busybox:latest", ...over });

async function audit(api: ApiClient, cluster: string, event?: string) {
  const { entries } = await api.get<{ entries: AuditEntry[] }>(`${routes.audit(cluster)}?limit=1000`);
  return event ? entries.filter((e) => e.event === event) : entries;
}

async function verifiedAudit(api: ApiClient, cluster: string) {
  const keys = await api.get<{ control_plane: string }>(routes.keys());
  const head = await api.get<ChainHead>(routes.auditHead(cluster));
  const entries = await audit(api, cluster);
  return { entries, ...(await verifyAuditHistory(entries, keys.control_plane, { head, cluster })) };
}

describe("policy add / list / show / rm / test", () => {
  it("compiles at add time: a syntax error, an unknown variable or function is a 422 naming expr, nothing is stored", async () => {
    const { name, owner } = await newCluster();
    for (const expr of ["object.image.endsWith(':latest') &&", "spec.image == 'x'", "object.image.nope()", "[1].all(a, [2].all(b, [3].all(c, true)))"]) {
      await expect(owner.api.post(routes.policies(name), { name: "p", expr, action: "deny", message: "m" })).rejects.toMatchObject({
        status: 422,
        problem: { field: "expr", detail: expect.stringMatching(/^expr: /) },
      });
    }
    // a body the schema refuses names its field too
    await expect(owner.api.post(routes.policies(name), { name: "p", expr: "true", action: "block", message: "m" })).rejects.toMatchObject({ status: 422, problem: { field: "action" } });
    expect((await owner.api.get<{ policies: unknown[] }>(routes.policies(name))).policies).toEqual([]);
    expect(await audit(owner.api, name, "PolicyAdded")).toHaveLength(0);
  });

  it("stores a policy with its hash (BLAKE3 of its JCS), lists, shows and removes it (admin to change, viewer to read)", async () => {
    const { name, owner } = await newCluster();
    const body = { name: "no-latest", expr: "object.image.endsWith(':latest')", action: "deny", message: "pin a tag other than latest" };
    const { policy } = await owner.api.post<{ policy: { hash: string; match: string[] } }>(routes.policies(name), body);
    expect(policy.match).toEqual(["deploy", "update"]);
    expect(policy.hash).toBe(hashCanonical({ ...body, match: ["deploy", "update"] }));
    await expect(owner.api.post(routes.policies(name), body)).rejects.toMatchObject({ status: 409, problem: { field: "name" } });
    const viewer = await wallet();
    const op = await wallet();
    await owner.api.post(routes.roles(name), { address: viewer.signer.address, role: "viewer" });
    await owner.api.post(routes.roles(name), { address: op.signer.address, role: "operator" });
    expect((await viewer.api.get<{ policies: { name: string }[] }>(routes.policies(name))).policies.map((p) => p.name)).toEqual(["no-latest"]);
    expect((await viewer.api.get<{ policy: { hash: string } }>(routes.policy(name, "no-latest"))).policy.hash).toBe(policy.hash);
    await expect(op.api.post(routes.policies(name), { ...body, name: "other" })).rejects.toMatchObject({ status: 403 });
    await expect(op.api.delete(routes.policy(name, "no-latest"))).rejects.toMatchObject({ status: 403 });
    const stranger = await wallet();
    await expect(stranger.api.get(routes.policies(name))).rejects.toMatchObject({ status: 404 });
    expect(await owner.api.delete(routes.policy(name, "no-latest"))).toEqual({ removed: "no-latest", hash: policy.hash });
    await expect(owner.api.get(routes.policy(name, "no-latest"))).rejects.toMatchObject({ status: 404, problem: { field: "name" } });
    const events = (await audit(owner.api, name)).filter((e) => e.event.startsWith("Policy")).map((e) => [e.event, e.subject]);
    expect(events).toEqual([["PolicyAdded", "no-latest"], ["PolicyRemoved", "no-latest"]]);
  });

  it("test evaluates a document without changing or recording anything", async () => {
    const { name, owner } = await newCluster();
    await owner.api.post(routes.policies(name), { name: "big", expr: "object.replicas > 3 && request.roles.exists(r, r != 'owner')", action: "warn", message: "many replicas" });
    const before = (await audit(owner.api, name)).length;
    const test = (input: unknown) => owner.api.post<{ decision: { result: string; value?: unknown; error?: string; input: { request: { actor: string; action: string } }; input_hash: string } }>(routes.policyTest(name, "big"), { input });
    const pass = await test({ object: { replicas: 5 } });
    expect(pass.decision).toMatchObject({ result: "pass", value: false, input: { request: { actor: owner.signer.address, action: "deploy" } } });
    const warn = await test({ object: { replicas: 5 }, request: { actor: "x", roles: ["operator"], action: "deploy" } });
    expect(warn.decision).toMatchObject({ result: "warn", value: true });
    expect(warn.decision.input_hash).toBe(hashCanonical(warn.decision.input));
    const broken = await test({ object: { image: "x" }, request: { actor: "x", roles: ["operator"], action: "deploy" } });
    expect(broken.decision).toMatchObject({ result: "error", error: expect.stringContaining("replicas") });
    expect((await audit(owner.api, name)).length).toBe(before);
    await expect(test({ objct: {} })).rejects.toMatchObject({ status: 422, problem: { field: expect.stringMatching(/^input/) } });
    await expect(owner.api.post(routes.policyTest(name, "nope"), { input: {} })).rejects.toMatchObject({ status: 404 });
  });
});

describe("policy decisions on changes", () => {
  it("a deny policy blocks a deploy with a problem naming it and its message; the decision is in the verified ledger", async () => {
    const { name, owner } = await newCluster();
    const { policy } = await owner.api.post<{ policy: { hash: string } }>(routes.policies(name), {
      name: "no-latest", expr: "object.image.endsWith(':latest')", action: "deny", message: "pin a tag other than latest",
    });
    const err = await owner.api.post(routes.workloads(name), app("web")).catch((e) => e);
    expect(err).toMatchObject({
      status: 403,
      problem: { field: "policy", policy: "no-latest", policy_hash: policy.hash, detail: "policy no-latest denies this deploy: pin a tag other than latest", type: "https://enc.dev/problems/policy-denied" },
    });
    await expect(owner.api.get(routes.workload(name, "web"))).rejects.toMatchObject({ status: 404 });
    // an allowed deploy records a pass decision with the change
    await owner.api.post(routes.workloads(name), app("web", { image: "oci:/srv/images/busybox:v1" }));
    const { entries, problems } = await verifiedAudit(owner.api, name);
    expect(problems).toEqual([]);
    const decisions = entries.filter((e) => e.event === "PolicyDecision");
    expect(decisions.map((e) => [e.subject, e.details.result, e.details.policy, e.details.policy_hash])).toEqual([
      ["web", "deny", "no-latest", policy.hash],
      ["web", "pass", "no-latest", policy.hash],
    ]);
    // the input hash is the hash of what the policy saw
    const input = {
      request: { actor: owner.signer.address, roles: ["owner"], action: "deploy" },
      object: (await owner.api.get<{ workload: { spec: unknown } }>(routes.workload(name, "web"))).workload.spec,
      oldObject: null,
      cluster: { name, owner: owner.signer.address, security_level: "standard", config: (await owner.api.get<{ cluster: { config: unknown } }>(routes.cluster(name))).cluster.config },
    };
    expect(decisions[1].details.input_hash).toBe(hashCanonical(input));
    // the pass decision committed with the deploy, right before its WorkloadDeployed entry
    const i = entries.findIndex((e) => e === decisions[1]);
    expect(entries[i + 1].event).toBe("WorkloadDeployed");
  });

  it("warn lets the change through with a Warning header and a warnings field; audit only records", async () => {
    const { name, owner } = await newCluster();
    await owner.api.post(routes.policies(name), { name: "many", expr: "object.replicas > 2", action: "warn", message: "more than 2 replicas", match: ["deploy", "scale"] });
    await owner.api.post(routes.policies(name), { name: "log-scale", expr: "object.replicas != oldObject.replicas", action: "audit", message: "replica count changed", match: ["scale"] });
    const req = await owner.api.build("POST", routes.workloads(name), app("web", { replicas: 3 }));
    const res = await workerFetch(req);
    expect(res.status).toBe(201);
    expect(res.headers.get("warning")).toBe('299 enc "policy many: more than 2 replicas"');
    expect(((await res.json()) as { warnings: string[] }).warnings).toEqual(["policy many: more than 2 replicas"]);
    const scaled = await owner.api.post<{ warnings?: string[] }>(routes.workloadScale(name, "web"), { replicas: 1 });
    expect(scaled.warnings).toBeUndefined();
    const quiet = await workerFetch(await owner.api.build("POST", routes.workloads(name), app("api")));
    expect(quiet.headers.get("warning")).toBeNull();
    const d = (await audit(owner.api, name, "PolicyDecision")).map((e) => [e.subject, e.details.policy, e.details.action, e.details.result]);
    expect(d).toEqual([
      ["web", "many", "deploy", "warn"],
      ["web", "log-scale", "scale", "audit"],
      ["web", "many", "scale", "pass"],
      ["api", "many", "deploy", "pass"],
    ]);
    expect(BASE).toBeTruthy();
  });

  it("policies see request, object, oldObject and cluster: an update that lowers memory, a role grant", async () => {
    const { name, owner } = await newCluster();
    await owner.api.post(routes.policies(name), {
      name: "no-shrink", expr: "oldObject != null && object.resources.memory_mb < oldObject.resources.memory_mb", action: "deny", message: "memory only grows", match: ["update"],
    });
    await owner.api.post(routes.policies(name), {
      name: "admins-by-owner", expr: "object.role == 'admin' && !('owner' in request.roles)", action: "deny", message: "only the owner makes admins", match: ["role"],
    });
    await owner.api.post(routes.workloads(name), app("web", { resources: { memory_mb: 128 } }));
    await expect(owner.api.put(routes.workload(name, "web"), app("web", { resources: { memory_mb: 64 } }))).rejects.toMatchObject({ status: 403, problem: { policy: "no-shrink" } });
    await owner.api.put(routes.workload(name, "web"), app("web", { resources: { memory_mb: 256 } }));
    const admin = await wallet();
    const other = await wallet();
    await owner.api.post(routes.roles(name), { address: admin.signer.address, role: "admin" });
    await expect(admin.api.post(routes.roles(name), { address: other.signer.address, role: "admin" })).rejects.toMatchObject({ status: 403, problem: { policy: "admins-by-owner" } });
    await admin.api.post(routes.roles(name), { address: other.signer.address, role: "viewer" });
    const results = (await audit(owner.api, name, "PolicyDecision")).map((e) => [e.details.policy, e.details.result]);
    expect(results).toEqual([
      ["no-shrink", "deny"], ["no-shrink", "pass"], ["admins-by-owner", "pass"], ["admins-by-owner", "deny"], ["admins-by-owner", "pass"],
    ]);
  });

  it("a deny policy that cannot be evaluated fails closed; a warn one records the error and lets the change through", async () => {
    const { name, owner } = await newCluster();
    await owner.api.post(routes.policies(name), { name: "labels", expr: "object.constraints.labels['tier'] == 'db'", action: "warn", message: "db tier" });
    await owner.api.post(routes.workloads(name), app("web"));
    await owner.api.post(routes.policies(name), { name: "strict", expr: "object.constraints.labels['tier'] != 'web'", action: "deny", message: "web tier only" });
    await expect(owner.api.post(routes.workloads(name), app("api"))).rejects.toMatchObject({ status: 403, problem: { policy: "strict", detail: expect.stringContaining("could not be evaluated") } });
    const d = (await audit(owner.api, name, "PolicyDecision")).map((e) => [e.details.policy, e.details.result, typeof e.details.error]);
    expect(d).toEqual([["labels", "error", "string"], ["labels", "error", "string"], ["strict", "deny", "string"]]);
  });

  it("a stranger's refused deploy evaluates nothing and leaves no entry", async () => {
    const { name, owner } = await newCluster();
    await owner.api.post(routes.policies(name), { name: "all", expr: "true", action: "deny", message: "nothing" });
    const stranger = await wallet();
    await expect(stranger.api.post(routes.workloads(name), app("web"))).rejects.toMatchObject({ status: 404 });
    expect(await audit(owner.api, name, "PolicyDecision")).toHaveLength(0);
  });
});
