import { describe, expect, it } from "vitest";
import { controlsFor } from "../../../domain/compliance/report.ts";
import type { AuditEntry } from "../../../protocol/schemas.ts";

let seq = 0;
const entry = (event: string, actor: string, details: Record<string, unknown> = {}): AuditEntry =>
  ({ v: 1, cluster: "c", seq: ++seq, ts: "2026-12-06T00:00:00.000Z", event, actor, subject: "web", details, prev_hash: "", hash: `blake3:${String(seq).padStart(64, "0")}`, sig: "" }) as unknown as AuditEntry;

describe("compliance evidence: pipeline approvals", () => {
  const A = "bpi1" + "a".repeat(58);
  const B = "bpi1" + "b".repeat(58);
  const C = "bpi1" + "c".repeat(58);
  const entries = [
    entry("PipelinePromotionRequested", A),
    entry("PipelineApproval", B, { author: A, decision: "approve", signed: { signature: "sig1=:x:" } }),
    entry("PipelineApproval", C, { author: A, decision: "approve", via: "console", console_session: "0123" }),
    entry("WorkloadUpdated", A, { cause: "pipeline p pr-1" }),
  ];

  it("counts a console approval apart from signed-request approvals and names it as a gap", () => {
    const cc81 = controlsFor("SOC2", { entries, witnessGap: null }).find((c) => c.id === "CC8.1")!;
    const signed = cc81.evidence.find((e) => e.what.startsWith("pipeline approvals made by the approvers' own signed requests"))!;
    const viaConsole = cc81.evidence.find((e) => e.what.startsWith("pipeline approvals made in the web console"))!;
    expect(signed.count).toBe(1);
    expect(signed.examples.map((x) => x.actor)).toEqual([B]);
    expect(viaConsole.count).toBe(1);
    expect(viaConsole.examples.map((x) => x.actor)).toEqual([C]);
    expect(cc81.gaps.join("\n")).toMatch(/1 approval\(s\) made in the web console/);
  });

  it("names no console gap when every approval was a signed request", () => {
    const cc81 = controlsFor("SOC2", { entries: entries.filter((e) => e.details.via !== "console"), witnessGap: null }).find((c) => c.id === "CC8.1")!;
    expect(cc81.gaps.join("\n")).not.toMatch(/web console/);
  });
});
