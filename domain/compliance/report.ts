// The evidence of a compliance report, computed from a cluster's audit entries (pure). It counts
// and cites what the ledger holds for each control and names the gaps it finds; it never concludes.
import type { CitedEntry, ControlEvidence, Evidence, Framework } from "../../protocol/api/compliance.ts";
import type { AuditEntry } from "../../protocol/schemas.ts";

const EXAMPLES = 3;

const cite = (e: AuditEntry): CitedEntry => ({ seq: e.seq, hash: e.hash, event: e.event, ts: e.ts, actor: e.actor, subject: e.subject });

function of(entries: AuditEntry[], what: string, events: string[]): Evidence {
  const hits = entries.filter((e) => events.includes(e.event));
  return { what, count: hits.length, examples: hits.slice(-EXAMPLES).map(cite) };
}

/** Workload changes that no approved pipeline promotion made: each is a change without dual control. */
export function changesWithoutDualControl(entries: AuditEntry[]): AuditEntry[] {
  return entries.filter((e) => {
    if (e.event !== "WorkloadDeployed" && e.event !== "WorkloadUpdated") return false;
    const cause = typeof e.details.cause === "string" ? e.details.cause : "";
    // A promotion's update names its pipeline; a rollback by the system restores a reviewed version.
    return !/^pipeline /.test(cause) && !(e.actor === "system" && /^undo /.test(cause));
  });
}

/** Approvals by the promotion's own author: dual control requires none (the ClusterDO refuses them). */
function selfApprovals(entries: AuditEntry[]): AuditEntry[] {
  return entries.filter((e) => e.event === "PipelineApproval" && e.details.author === e.actor);
}

const byConsole = (e: AuditEntry) => e.details.via === "console";

/** Entries whose actor is neither a wallet nor the control plane itself. */
function unattributed(entries: AuditEntry[]): AuditEntry[] {
  return entries.filter((e) => e.actor !== "system" && !/^bpi1/.test(e.actor));
}

interface Inputs {
  entries: AuditEntry[];
  /** e.g. "no witness is configured for this cluster's audit log: the period is unwitnessed"; null when witnessed */
  witnessGap: string | null;
}

function gapsWith(list: string[], n: number, text: (n: number) => string, examples: AuditEntry[] = []): string[] {
  if (n === 0) return list;
  const ex = examples.slice(0, EXAMPLES).map((e) => `seq ${e.seq} ${e.hash}`);
  return [...list, text(n) + (ex.length ? ` (e.g. ${ex.join(", ")})` : "")];
}

export function controlsFor(framework: Framework, { entries, witnessGap }: Inputs): ControlEvidence[] {
  const access = of(entries, "role grants and revocations, each signed by the granting wallet", ["RoleGranted", "RoleRevoked"]);
  const onboarding = of(entries, "node admissions with single-use join tokens", ["JoinTokenIssued", "NodeAdded", "NodeRemoved"]);
  const refusals = of(entries, "refused changes recorded as security violations", ["SecurityViolation"]);
  const anomalies = of(entries, "failures detected and acted on (failovers, halted rollouts, red pipeline gates, node status)", ["ReplicaFailover", "RolloutHalted", "PipelineRolledBack", "NodeStatusChanged", "ReplicaStopUnconfirmed"]);
  const changes = of(entries, "workload changes (deploy, update, delete, rollback)", ["WorkloadDeployed", "WorkloadUpdated", "WorkloadDeleted", "RolloutUndone"]);
  // An approval made in the web console carries no request signature of its own: it rests on a
  // session opened with a wallet-signed login token (PROTOCOL.md §7.4). Counted apart, and a gap.
  const pipelineApprovals = entries.filter((e) => e.event === "PipelineApproval");
  const viaConsole = pipelineApprovals.filter(byConsole);
  const signedApprovals = pipelineApprovals.filter((e) => !byConsole(e));
  const approvals: Evidence = { what: "pipeline approvals made by the approvers' own signed requests (RFC 9421, kept in the entry)", count: signedApprovals.length, examples: signedApprovals.slice(-EXAMPLES).map(cite) };
  const consoleApprovals: Evidence = { what: "pipeline approvals made in the web console (a session from a wallet-signed login token, no per-approval request signature)", count: viaConsole.length, examples: viaConsole.slice(-EXAMPLES).map(cite) };
  const gates = of(entries, "pipeline gate results (green / red)", ["PipelineGate", "PipelinePromoted"]);
  const sealed = of(entries, "receipt blocks sealed into the ledger", ["LogBlockSealed"]);
  const replays = of(entries, "deterministic replays compared by witness root", ["ReplayVerified"]);
  const all: Evidence = { what: "audit entries in the period, each hash-chained and signed by the control-plane key", count: entries.length, examples: entries.slice(-EXAMPLES).map(cite) };
  const byWallet: Evidence = { what: "entries whose actor is the wallet that signed the request (RFC 9421)", count: entries.filter((e) => /^bpi1/.test(e.actor)).length, examples: entries.filter((e) => /^bpi1/.test(e.actor)).slice(-EXAMPLES).map(cite) };

  const undual = changesWithoutDualControl(entries);
  const selfApproved = selfApprovals(entries);
  const noActor = unattributed(entries);
  let changeGaps = gapsWith([], undual.length, (n) => `${n} workload change(s) made without a pipeline promotion, i.e. without dual control`, undual);
  changeGaps = gapsWith(changeGaps, selfApproved.length, (n) => `${n} approval(s) by the promotion's own author`, selfApproved);
  changeGaps = gapsWith(changeGaps, viaConsole.length, (n) => `${n} approval(s) made in the web console: each rests on the approver's console session, not on a signed request of its own`, viaConsole);
  const integrityGaps = witnessGap ? [witnessGap] : [];
  const attributionGaps = gapsWith([], noActor.length, (n) => `${n} entr(ies) not attributed to a signing wallet or the control plane`, noActor);
  if (entries.length === 0) integrityGaps.push("no audit entries in the period: nothing to show");

  const C = (id: string, title: string, evidence: Evidence[], gaps: string[]): ControlEvidence => ({ id, title, evidence, gaps });
  switch (framework) {
    case "SOC2":
      return [
        C("CC6.1", "Logical access security: who may act, by signed request and role", [byWallet, access], attributionGaps),
        C("CC6.2", "Registration and authorization of users and nodes", [access, onboarding], []),
        C("CC6.3", "Role-based access: changes to and enforcement of roles", [access, refusals], []),
        C("CC7.2", "Monitoring for anomalies and failures", [anomalies, refusals, replays], integrityGaps),
        C("CC8.1", "Change management: changes authorized, reviewed and recorded", [changes, approvals, consoleApprovals, gates], changeGaps),
      ];
    case "HIPAA":
      return [
        C("164.312(a)(1)", "Access control", [access, refusals], attributionGaps),
        C("164.312(b)", "Audit controls: activity recorded in a hash-chained, signed log", [all, sealed], integrityGaps),
        C("164.312(c)(1)", "Integrity: changes recorded and reviewable", [changes, approvals, consoleApprovals, gates], [...changeGaps, ...integrityGaps]),
        C("164.312(d)", "Person or entity authentication: every actor a signing wallet or node key", [byWallet, onboarding], attributionGaps),
      ];
    case "PCI-DSS":
      return [
        C("7.2", "Access assigned by role and need", [access, refusals], []),
        C("10.2", "Audit logs capture user and system activity", [all, changes, access], integrityGaps),
        C("10.3", "Audit logs protected from change: hash chain, signatures, signed head", [all, sealed], integrityGaps),
        C("10.7", "Failures of critical controls detected and responded to", [anomalies, gates], changeGaps),
      ];
  }
}
