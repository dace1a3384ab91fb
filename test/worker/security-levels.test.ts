// Security levels through the API with signed requests, in workerd: each level's rules refused
// and allowed at create, deploy, update and scale; a level only rises, and not over workloads that
// break it; every refusal names the level and the rule and is a SecurityViolation audit entry.
import { describe, expect, it } from "vitest";
import { routes } from "../../protocol/routes.ts";
import { ApiClient, type ApiError } from "../../protocol/api-client.ts";
import type { AuditEntry } from "../../protocol/schemas.ts";
import { BASE, newCluster, uniq, wallet, workerFetch } from "./helpers.ts";

const WITNESS = [{ url: "https://witness.example.com", vkey: "witness.example.com+e85f5128+BAcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcH" }];
const app = (name: string, over: Record<string, unknown> = {}) => ({ name, image: "oci:/srv/images/busybox:latest", ...over });
const caged = (name: string, over: Record<string, unknown> = {}) => app(name, { cage: { determinism: true, seed: "s" }, ...over });

async function violations(api: ApiClient, cluster: string) {
  const { entries } = await api.get<{ entries: AuditEntry[] }>(`${routes.audit(cluster)}?limit=1000`);
  return entries.filter((e) => e.event === "SecurityViolation").map((e) => e.details);
}

describe("security level at cluster create", () => {
  it("enterprise and military-grade need a witness; military-grade forces quantum_safe on", async () => {
    const owner = await wallet();
    for (const level of ["enterprise", "military_grade"]) {
      await expect(owner.api.post(routes.clusters(), { name: uniq("c"), config: { security_level: level } })).rejects.toMatchObject({
        status: 422,
        problem: { field: "witnesses", level, rule: level === "enterprise" ? "audit-witnessed" : "min-one-witness", detail: expect.stringContaining(`security level ${level}`) },
      });
    }
    const { cluster } = await owner.api.post<{ cluster: { config: Record<string, unknown> } }>(routes.clusters(), {
      name: uniq("c"), config: { security_level: "military_grade", witnesses: WITNESS, compliance: ["SOC2", "HIPAA"] },
    });
    expect(cluster.config).toMatchObject({ security_level: "military_grade", quantum_safe: true, compliance: ["SOC2", "HIPAA"], witnesses: WITNESS });
    await expect(owner.api.post(routes.clusters(), { name: uniq("c"), config: { security_level: "high" } })).rejects.toMatchObject({ status: 422, problem: { field: "config.security_level" } });
  });
});

describe("standard", () => {
  it("signed requests and the audit ledger: an unsigned deploy is refused, host network follows the cage rules only", async () => {
    const { name, owner } = await newCluster({ allow_host_network: true });
    const unsigned = new ApiClient({ url: BASE, fetch: workerFetch });
    await expect(unsigned.post(routes.workloads(name), app("web"))).rejects.toMatchObject({ status: 401 });
    await owner.api.post(routes.workloads(name), app("web", { cage: { network: "host" }, ports: [{ container_port: 80 }] }));
    expect(await violations(owner.api, name)).toEqual([]);
  });
});

describe("enterprise", () => {
  it("refuses host network (even for an owner in an allow_host_network cluster) and a gateway service without wallet auth", async () => {
    const { name, owner } = await newCluster({ security_level: "enterprise", witnesses: WITNESS, allow_host_network: true });
    await expect(owner.api.post(routes.workloads(name), app("web", { cage: { network: "host" } }))).rejects.toMatchObject({
      status: 403, problem: { field: "cage.network", level: "enterprise", rule: "no-host-network" },
    });
    await expect(owner.api.post(routes.workloads(name), app("web", { ports: [{ container_port: 80 }] }))).rejects.toMatchObject({
      status: 403, problem: { field: "wallet_authentication", level: "enterprise", rule: "gateway-wallet-auth", detail: expect.stringMatching(/^security level enterprise \(rule gateway-wallet-auth\)/) },
    });
    await owner.api.post(routes.workloads(name), app("web", { ports: [{ container_port: 80 }], wallet_authentication: true }));
    // an update that drops wallet auth is refused the same way
    await expect(owner.api.put(routes.workload(name, "web"), app("web", { ports: [{ container_port: 80 }] }))).rejects.toMatchObject({ status: 403, problem: { rule: "gateway-wallet-auth" } });
    await owner.api.post(routes.workloads(name), app("batch")); // no ports, no network: fine
    const v = await violations(owner.api, name);
    expect(v.map((d) => [d.level, d.rule, d.field, d.change])).toEqual([
      ["enterprise", "no-host-network", "cage.network", "deploy"],
      ["enterprise", "gateway-wallet-auth", "wallet_authentication", "deploy"],
      ["enterprise", "gateway-wallet-auth", "wallet_authentication", "update"],
    ]);
  });
});

describe("military-grade", () => {
  it("deploys only workloads in the determinism cage; network none unless an allow policy admits it", async () => {
    const { name, owner } = await newCluster({ security_level: "military_grade", witnesses: WITNESS, allow_host_network: true });
    await expect(owner.api.post(routes.workloads(name), app("web"))).rejects.toMatchObject({
      status: 403, problem: { field: "cage.determinism", level: "military_grade", rule: "determinism-cage" },
    });
    await owner.api.post(routes.workloads(name), caged("job"));
    // the level applies to updates and scales too
    await expect(owner.api.put(routes.workload(name, "job"), app("job"))).rejects.toMatchObject({ status: 403, problem: { rule: "determinism-cage" } });
    await owner.api.post(routes.workloadScale(name, "job"), { replicas: 2 });
    const host = caged("edge", { cage: { determinism: true, seed: "s", network: "host" } });
    await expect(owner.api.post(routes.workloads(name), host)).rejects.toMatchObject({ status: 403, problem: { field: "cage.network", rule: "network-none" } });
    // an allow policy that matches the change admits it, and its decision is in the ledger
    await owner.api.post(routes.policies(name), { name: "edge-net", expr: "object.name == 'edge'", action: "allow", message: "the edge proxy needs the host network" });
    await owner.api.post(routes.workloads(name), host);
    await expect(owner.api.post(routes.workloads(name), { ...host, name: "other" })).rejects.toMatchObject({ status: 403, problem: { rule: "network-none" } });
    const { entries } = await owner.api.get<{ entries: AuditEntry[] }>(`${routes.audit(name)}?limit=1000`);
    const allow = entries.filter((e) => e.event === "PolicyDecision" && e.details.result === "allow");
    expect(allow.map((e) => e.subject)).toEqual(["edge"]);
    expect((await violations(owner.api, name)).map((d) => d.rule)).toEqual(["determinism-cage", "determinism-cage", "network-none", "network-none"]);
  });
});

describe("raising and lowering the level", () => {
  it("refuses to lower, refuses a level its witnesses or workloads break (listing them), raises once they comply", async () => {
    const { name, owner } = await newCluster({ allow_host_network: true });
    await expect(owner.api.post(routes.securityLevel(name), { security_level: "enterprise" })).rejects.toMatchObject({ status: 409, problem: { field: "witnesses", rule: "audit-witnessed" } });
    const { name: c2, owner: o2 } = await newCluster({ allow_host_network: true, witnesses: WITNESS });
    await o2.api.post(routes.workloads(c2), app("web", { cage: { network: "host" } }));
    await o2.api.post(routes.workloads(c2), app("api", { ports: [{ container_port: 80 }] }));
    await o2.api.post(routes.workloads(c2), app("ok"));
    const refused = await o2.api.post(routes.securityLevel(c2), { security_level: "enterprise" }).catch((e: ApiError) => e);
    expect(refused).toMatchObject({ status: 409, problem: { field: "security_level", level: "enterprise", workloads: [{ workload: "api", rule: "gateway-wallet-auth" }, { workload: "web", rule: "no-host-network" }] } });
    expect((refused as ApiError).problem.detail).toContain("2 workload(s) break its rules: api (gateway-wallet-auth), web (no-host-network)");
    await o2.api.put(routes.workload(c2, "web"), app("web"));
    await o2.api.put(routes.workload(c2, "api"), app("api", { ports: [{ container_port: 80 }], wallet_authentication: true }));
    const { cluster } = await o2.api.post<{ cluster: { config: Record<string, unknown> } }>(routes.securityLevel(c2), { security_level: "enterprise", compliance: ["PCI-DSS"] });
    expect(cluster.config).toMatchObject({ security_level: "enterprise", compliance: ["PCI-DSS"], quantum_safe: false });
    // only an admin raises; a viewer learns 403
    const viewer = await wallet();
    await o2.api.post(routes.roles(c2), { address: viewer.signer.address, role: "viewer" });
    await expect(viewer.api.post(routes.securityLevel(c2), { security_level: "military_grade" })).rejects.toMatchObject({ status: 403 });
    await expect(o2.api.post(routes.securityLevel(c2), { security_level: "standard" })).rejects.toMatchObject({
      status: 409, problem: { field: "security_level", rule: "level-only-rises", detail: expect.stringContaining("cannot be lowered to standard") },
    });
    // military-grade: the workloads are not caged yet
    await expect(o2.api.post(routes.securityLevel(c2), { security_level: "military_grade" })).rejects.toMatchObject({ status: 409, problem: { rule: "determinism-cage" } });
    for (const w of ["web", "ok"]) await o2.api.put(routes.workload(c2, w), caged(w));
    await o2.api.put(routes.workload(c2, "api"), caged("api", { ports: [{ container_port: 80 }], wallet_authentication: true }));
    const raised = await o2.api.post<{ cluster: { config: Record<string, unknown> } }>(routes.securityLevel(c2), { security_level: "military_grade" });
    expect(raised.cluster.config).toMatchObject({ security_level: "military_grade", quantum_safe: true });
    const { entries } = await o2.api.get<{ entries: AuditEntry[] }>(`${routes.audit(c2)}?limit=1000`);
    expect(entries.filter((e) => e.event === "SecurityLevelRaised").map((e) => [e.details.from, e.details.to])).toEqual([["standard", "enterprise"], ["enterprise", "military_grade"]]);
    expect((await violations(o2.api, c2)).map((d) => [d.rule, d.change])).toEqual([
      ["gateway-wallet-auth", "security-level"], ["level-only-rises", "security-level"], ["determinism-cage", "security-level"],
    ]);
  });

  it("a rollout undo to a version from before the raise is refused like an update", async () => {
    const { name, owner } = await newCluster({ allow_host_network: true, witnesses: WITNESS });
    await owner.api.post(routes.workloads(name), app("web", { cage: { network: "host" } }));
    await owner.api.put(routes.workload(name, "web"), app("web"));
    await owner.api.post(routes.securityLevel(name), { security_level: "enterprise" });
    await expect(owner.api.post(routes.workloadRolloutAction(name, "web", "undo"), {})).rejects.toMatchObject({ status: 403, problem: { field: "cage.network", rule: "no-host-network" } });
    expect((await violations(owner.api, name)).map((d) => [d.rule, d.change])).toEqual([["no-host-network", "update"]]);
    const { workload } = await owner.api.get<{ workload: { version: number; spec: { cage: { network: string } } } }>(routes.workload(name, "web"));
    expect(workload).toMatchObject({ version: 2, spec: { cage: { network: "none" } } });
  });
});
