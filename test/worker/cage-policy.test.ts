// Cage-weakening fields (host network) need the admin role AND a cluster that allows them; every
// refusal of an otherwise authorised caller is a SecurityViolation in the audit log.
import { describe, expect, it } from "vitest";
import { newCluster, wallet } from "./helpers.ts";

const hostNet = (name: string) => ({ name, image: "oci:/srv/images/busybox:latest", command: ["httpd"], ports: [{ container_port: 8080 }], cage: { network: "host" } });

async function violations(api: Awaited<ReturnType<typeof wallet>>["api"], cluster: string) {
  const { entries } = await api.get<{ entries: { event: string; actor: string; subject: string; details: Record<string, unknown> }[] }>(`/v1/clusters/${cluster}/audit?limit=1000`);
  return entries.filter((e) => e.event === "SecurityViolation");
}

describe("host network is an admin's opt-in the cluster must allow", () => {
  it("refuses an operator and an admin of a cluster that does not allow it, and audits both", async () => {
    const { name, owner } = await newCluster();
    const op = await wallet();
    await owner.api.post(`/v1/clusters/${name}/roles`, { address: op.signer.address, role: "operator" });
    await expect(op.api.post(`/v1/clusters/${name}/workloads`, hostNet("web"))).rejects.toMatchObject({ status: 403, problem: { field: "cage.network" } });
    await expect(owner.api.post(`/v1/clusters/${name}/workloads`, hostNet("web"))).rejects.toMatchObject({ status: 403, problem: { field: "cage.network" } });
    const v = await violations(owner.api, name);
    expect(v.map((e) => [e.actor, e.subject, e.details.field])).toEqual(
      expect.arrayContaining([[op.signer.address, "web", "cage.network"], [owner.signer.address, "web", "cage.network"]]),
    );
    expect(v).toHaveLength(2);
    // the default network needs nothing
    await op.api.post(`/v1/clusters/${name}/workloads`, { ...hostNet("web"), cage: {} });
  });

  it("with allow_host_network an admin may, an operator still may not (deploy and update)", async () => {
    const { name, owner } = await newCluster({ allow_host_network: true });
    const op = await wallet();
    await owner.api.post(`/v1/clusters/${name}/roles`, { address: op.signer.address, role: "operator" });
    await expect(op.api.post(`/v1/clusters/${name}/workloads`, hostNet("web"))).rejects.toMatchObject({ status: 403, problem: { field: "cage.network" } });
    await op.api.post(`/v1/clusters/${name}/workloads`, { ...hostNet("api"), cage: {} });
    await expect(op.api.put(`/v1/clusters/${name}/workloads/api`, hostNet("api"))).rejects.toMatchObject({ status: 403, problem: { field: "cage.network" } });
    const res = await owner.api.post<{ workload: { spec: { cage: { network: string } } } }>(`/v1/clusters/${name}/workloads`, hostNet("web"));
    expect(res.workload.spec.cage.network).toBe("host");
    expect(await violations(owner.api, name)).toHaveLength(2);
  });

  it("a stranger is refused without an audit entry (no audit spam)", async () => {
    const { name, owner } = await newCluster({ allow_host_network: true });
    const stranger = await wallet();
    await expect(stranger.api.post(`/v1/clusters/${name}/workloads`, hostNet("web"))).rejects.toMatchObject({ status: 404 });
    expect(await violations(owner.api, name)).toHaveLength(0);
  });
});
