// Compliance evidence: a report computed from a cluster's audit chain and signed by the
// control-plane key. It is evidence for an auditor (what the ledger shows, and its gaps), never a
// verdict: no field or text of it claims conformance with a framework.
import { z } from "zod";
import { ChainHeadSchema } from "../head.ts";
import { address, hashText, isoTime, sigText } from "../schemas.ts";
import { computeHash, signHashSync, verifySigned, type VerifyResult } from "../signing.ts";
import type { SyncSigner } from "../sync-signer.ts";

/** Signing domain: a report's signature can never pass for an audit entry or a head. */
export const COMPLIANCE_REPORT_DOMAIN = "enc/compliance-report/v1";

export const Framework = z.enum(["SOC2", "HIPAA", "PCI-DSS"]);
export type Framework = z.infer<typeof Framework>;

/** An audit entry cited as evidence: an auditor re-checks its hash, signature and place in the chain. */
export const CitedEntry = z.object({ seq: z.int().min(1), hash: hashText, event: z.string(), ts: isoTime, actor: z.string(), subject: z.string() });
export type CitedEntry = z.infer<typeof CitedEntry>;

export const Evidence = z.object({ what: z.string(), count: z.int().min(0), examples: z.array(CitedEntry) });
export type Evidence = z.infer<typeof Evidence>;

export const ControlEvidence = z.object({ id: z.string(), title: z.string(), evidence: z.array(Evidence), gaps: z.array(z.string()) });
export type ControlEvidence = z.infer<typeof ControlEvidence>;

export const ComplianceReport = z
  .object({
    v: z.literal(1),
    kind: z.literal("compliance-evidence"),
    framework: Framework,
    cluster: z.string(),
    period: z.object({ from: isoTime.nullable(), to: isoTime.nullable() }),
    generated_at: isoTime,
    /**
     * The audit chain the report was computed from: its signed head. Every cited entry lies at or
     * below `head.size`; the inclusion proof of an entry is the hash chain from it to this head.
     */
    ledger: z.object({ head: ChainHeadSchema, entries_in_period: z.int().min(0) }),
    /** Checkpoints and witness cosignatures: what this control plane can show of them. */
    transparency: z.object({ checkpoints: z.string(), witnesses: z.string() }),
    controls: z.array(ControlEvidence),
    signer: address,
    sig: sigText,
  })
  .meta({ id: "ComplianceReport" });
export type ComplianceReport = z.infer<typeof ComplianceReport>;
export type ComplianceReportFields = Omit<ComplianceReport, "signer" | "sig">;

export function signComplianceReportSync(body: ComplianceReportFields, signer: SyncSigner): ComplianceReport {
  const full: Record<string, unknown> = { ...body, signer: signer.address };
  return { ...full, sig: signHashSync(COMPLIANCE_REPORT_DOMAIN, computeHash(full, ["sig"]), signer) } as ComplianceReport;
}

/** The report's signature by `controlPlane` (the re-check of its citations is the verifier's, against the live log). */
export function verifyComplianceReport(report: unknown, controlPlane: string): Promise<VerifyResult> {
  const signer = typeof report === "object" && report !== null ? (report as Record<string, unknown>).signer : undefined;
  if (signer !== controlPlane) return Promise.resolve({ ok: false, reason: `report is signed by ${String(signer)}, not the control plane ${controlPlane}` });
  return verifySigned(report, { domain: COMPLIANCE_REPORT_DOMAIN, what: "compliance report", sigField: "sig", address: signer, addressName: "signer" });
}
