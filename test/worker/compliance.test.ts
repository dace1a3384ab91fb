import { describe, expect, it } from "vitest";
import { verifyComplianceReport, type ComplianceReport } from "../../protocol/api/compliance.ts";
import { joinNode, newCluster, wallet } from "./helpers.ts";

describe("rate card (config.rates)", () => {
  it("is validated at the edge, naming the field, and kept in the cluster's config", async () => {
    const owner = await wallet();
    await expect(owner.api.post("/v1/clusters", { name: "rates-bad", config: { rates: { cpu_ms: -1 } } })).rejects.toMatchObject({ status: 422, problem: { field: "config.rates.cpu_ms" } });
    await expect(owner.api.post("/v1/clusters", { name: "rates-bad", config: { rates: { currency: "euro" } } })).rejects.toMatchObject({ status: 422, problem: { field: "config.rates.currency" } });
    const made = await newCluster({ rates: { currency: "EUR", cpu_ms: 0.5 } });
    const { cluster } = await made.owner.api.get<{ cluster: { config: { rates: unknown } } }>(`/v1/clusters/${made.name}`);
    expect(cluster.config.rates).toEqual({ currency: "EUR", cpu_ms: 0.5, memory_mb_s: 0, storage_gb_day: 0, egress_mb: 0 });
  });
});

describe("compliance evidence", () => {
  it("is computed from the audit chain, cites entries by seq and hash, names gaps, and is signed by the control-plane key", async () => {
    const { name, owner } = await newCluster();
    await joinNode(owner.api, name);
    const op = await wallet();
    await owner.api.post(`/v1/clusters/${name}/roles`, { address: op.signer.address, role: "operator" });
    await op.api.post(`/v1/clusters/${name}/workloads`, { name: "api", image: "oci:/api:v1", resources: { cpu_millis: 100, memory_mb: 32 } });
    await expect(op.api.post(`/v1/clusters/${name}/roles`, { address: op.signer.address, role: "admin" })).rejects.toMatchObject({ status: 403 });
    const { entries } = await owner.api.get<{ entries: { seq: number; hash: string; event: string }[] }>(`/v1/clusters/${name}/audit?limit=1000`);
    const { control_plane } = await owner.api.get<{ control_plane: string }>("/v1/keys");

    for (const framework of ["SOC2", "HIPAA", "PCI-DSS"] as const) {
      const r = await op.api.get<ComplianceReport>(`/v1/clusters/${name}/audit/report?framework=${framework}`);
      expect(r.framework).toBe(framework);
      expect(await verifyComplianceReport(r, control_plane)).toEqual({ ok: true });
      expect(r.ledger.head.size).toBe(entries.length);
      expect(JSON.stringify(r)).not.toMatch(/compliant|certified/i);
      for (const c of r.controls) for (const ev of c.evidence) for (const x of ev.examples) expect(entries.find((e) => e.seq === x.seq)?.hash).toBe(x.hash);
      // The deploy was made outside any pipeline, and nothing witnessed the log: both are named as gaps.
      const gaps = r.controls.flatMap((c) => c.gaps).join("\n");
      if (framework !== "PCI-DSS") expect(gaps).toMatch(/no witness is configured for this cluster.s audit log: the period is unwitnessed/);
      expect(r.transparency.witnesses).toBe("none configured");
      if (framework !== "HIPAA") expect(r.controls.find((c) => c.id === (framework === "SOC2" ? "CC8.1" : "10.7"))!.gaps.join()).toMatch(/1 workload change\(s\) made without a pipeline promotion/);
    }
    const soc2 = await op.api.get<ComplianceReport>(`/v1/clusters/${name}/audit/report?framework=SOC2`);
    expect(soc2.controls.map((c) => c.id)).toEqual(["CC6.1", "CC6.2", "CC6.3", "CC7.2", "CC8.1"]);
    expect(soc2.controls.find((c) => c.id === "CC6.2")!.evidence[0]).toMatchObject({ count: 1, examples: [{ event: "RoleGranted" }] });

    // A changed count no longer matches the signature.
    const tampered = structuredClone(soc2);
    tampered.controls[0].evidence[0].count += 1;
    expect(await verifyComplianceReport(tampered, control_plane)).toMatchObject({ ok: false });

    // A period after every entry: no evidence, and that is said.
    const later = await op.api.get<ComplianceReport>(`/v1/clusters/${name}/audit/report?framework=HIPAA&from=2199-01-01T00:00:00.000Z`);
    expect(later.ledger.entries_in_period).toBe(0);
    expect(later.controls.flatMap((c) => c.gaps).join()).toMatch(/no audit entries in the period/);

    await expect(op.api.get(`/v1/clusters/${name}/audit/report?framework=ISO27001`)).rejects.toMatchObject({ status: 400, problem: { field: "framework" } });
    await expect(op.api.get(`/v1/clusters/${name}/audit/report?framework=SOC2&from=yesterday`)).rejects.toMatchObject({ status: 400, problem: { field: "from" } });
    const stranger = await wallet();
    await expect(stranger.api.get(`/v1/clusters/${name}/audit/report?framework=SOC2`)).rejects.toMatchObject({ status: 404 });
  });
});
