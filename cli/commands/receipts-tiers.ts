import type { ApiClient } from "../../protocol/api-client.ts";
import type { Cluster, RateCard } from "../../protocol/api/cluster.ts";
import type { ChainHead } from "../../protocol/head.ts";
import { verifyAppLedger, verifyAuditHistory, type AppLedgerSource } from "../../protocol/ledger-verify.ts";
import { routes } from "../../protocol/routes.ts";
import type { AuditEntry, StepReceipt } from "../../protocol/schemas.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { allAuditEntries, apiLedgerSource } from "../lib/ledger-source.ts";

const RESOURCES = ["cpu_ms", "memory_mb_s", "storage_gb_day", "egress_mb"] as const;
const PIPELINE_EVENTS = new Set(["PipelinePromotionRequested", "PipelineGate", "PipelineApproval", "PipelinePromoted", "PipelineRolledBack"]);

/** Promotions that touched `workload` (as source or target), by id. */
function promotionsOf(entries: AuditEntry[], workload: string): Set<string> {
  const ids = new Set<string>();
  for (const e of entries) {
    const changes = e.details.changes as { source?: string; target?: string }[] | undefined;
    if (Array.isArray(changes) && changes.some((c) => c.source === workload || c.target === workload) && typeof e.details.promotion === "string") ids.add(e.details.promotion);
  }
  return ids;
}

/** A cluster's whole audit chain, checked up to its signed head with the control-plane key. */
async function verifiedAudit(api: ApiClient, cluster: string, controlPlane: string) {
  const head = await api.get<ChainHead>(routes.auditHead(cluster));
  const entries = await allAuditEntries(api, cluster);
  return { entries, problems: (await verifyAuditHistory(entries, controlPlane, { head, cluster })).problems };
}

/**
 * Promotions of pipelines that live in another cluster and changed `workload` here: the target's
 * entries name them in their cause, `pipeline HOME/NAME PROMOTION` (a same-cluster one has no HOME/).
 */
export function foreignPromotions(entries: AuditEntry[], workload: string): Map<string, Set<string>> {
  const byHome = new Map<string, Set<string>>();
  for (const e of entries) {
    if (e.subject !== workload || typeof e.details.cause !== "string") continue;
    const m = /^pipeline ([a-z0-9][a-z0-9-]*)\/[a-z0-9][a-z0-9-]* (\S+)$/.exec(e.details.cause);
    if (m) byHome.set(m[1], (byHome.get(m[1]) ?? new Set()).add(m[2]));
  }
  return byHome;
}

export default defineCommand({
  description:
    "Four tiers, each checked here with public keys only (GET /v1/keys):\n" +
    "  action     the app's sealed StepReceipts (the whole app ledger verified) and the audit entries about it\n" +
    "  agreement  policy decisions about it (PolicyDecision entries)\n" +
    "  pipeline   gates, approvals, promotions and rollbacks of promotions that touched it\n" +
    "  economic   each receipt chain's summed resources priced by the cluster's rate card (config.rates)\n" +
    "Audit-based tiers are verified when the whole audit chain verifies up to its signed head.",
  args: { workload: { description: "the workload (app)", required: true } },
  flags: { ...CLUSTER_FLAG },
  examples: ["enc receipts tiers web"],
  async run(ctx, { args, flags }) {
    const cluster = ctx.cluster(flags.cluster);
    const wl = args.workload;
    const api = await ctx.client();
    const { control_plane, notary } = await ctx.keys();

    const { entries, problems: auditProblems } = await verifiedAudit(api, cluster, control_plane);
    const auditOk = auditProblems.length === 0;

    const appHead = await api.get<ChainHead>(routes.appHead(cluster, wl));
    const receipts: StepReceipt[] = [];
    const inner = apiLedgerSource(api, cluster, wl);
    const src: AppLedgerSource = { blocks: (h, n) => inner.blocks(h, n), blockReceipts: async (h) => { const rs = await inner.blockReceipts(h); receipts.push(...rs); return rs; } };
    const ledger = await verifyAppLedger(src, notary, undefined, { head: appHead, cluster, app: wl });
    const ledgerOk = ledger.problems.length === 0;

    const about = entries.filter((e) => e.subject === wl);
    const promos = promotionsOf(entries, wl);
    const pipeline = entries.filter((e) => PIPELINE_EVENTS.has(e.event) && promos.has(e.details.promotion as string));
    // A stage in this cluster of a pipeline that lives in another: its receipts are in that
    // cluster's audit log, read and verified the same way where the caller may read it.
    const foreign: { cluster: string; verified: boolean; entries: AuditEntry[]; problems: string[]; error?: string }[] = [];
    for (const [home, ids] of foreignPromotions(entries, wl)) {
      try {
        const { entries: all, problems: found } = await verifiedAudit(api, home, control_plane);
        const problems = found.map((p) => `audit of cluster ${home} ${p.where}: ${p.problem}`);
        foreign.push({ cluster: home, verified: problems.length === 0, problems, entries: all.filter((e) => PIPELINE_EVENTS.has(e.event) && ids.has(e.details.promotion as string)) });
      } catch (e) {
        foreign.push({ cluster: home, verified: false, entries: [], problems: [], error: `${[...ids].join(", ")} of cluster ${home}: not readable (${(e as Error).message})` });
      }
    }
    const policy = entries.filter((e) => e.event === "PolicyDecision" && (e.subject === wl || (e.details as { object?: string }).object === wl));

    const { config } = (await api.get<{ cluster: Cluster }>(routes.cluster(cluster))).cluster;
    const rates: RateCard | undefined = config.rates;
    const chains = new Map<string, Record<string, number>>();
    for (const r of receipts) {
      const key = `${r.node}/${r.container}`;
      const sum = chains.get(key) ?? Object.fromEntries(RESOURCES.map((k) => [k, 0]));
      for (const k of RESOURCES) sum[k] += Number((r.resource as Record<string, unknown>)[k] ?? 0);
      chains.set(key, sum);
    }
    const economic = [...chains].map(([chain, sum]) => ({
      chain,
      resource: sum,
      cost: rates ? Math.round(RESOURCES.reduce((t, k) => t + sum[k] * rates[k], 0) * 1e6) / 1e6 : null,
      currency: rates?.currency ?? null,
    }));
    const cite = (e: AuditEntry) => ({ seq: e.seq, hash: e.hash, event: e.event, ts: e.ts, actor: e.actor });
    const tiers = {
      action: { verified: ledgerOk && auditOk, receipts: receipts.length, blocks: ledger.blocks, audit: about.map(cite) },
      agreement: { verified: auditOk, decisions: policy.map(cite) },
      pipeline: {
        verified: auditOk && foreign.every((f) => f.verified),
        receipts: [
          ...pipeline.map((e) => ({ ...cite(e), promotion: e.details.promotion, ...(e.event === "PipelineGate" ? { gate: e.details.gate, state: e.details.state } : {}) })),
          ...foreign.flatMap((f) => f.entries.map((e) => ({ ...cite(e), cluster: f.cluster, promotion: e.details.promotion, ...(e.event === "PipelineGate" ? { gate: e.details.gate, state: e.details.state } : {}) }))),
        ],
        ...(foreign.length ? { clusters: foreign.map((f) => ({ cluster: f.cluster, verified: f.verified, receipts: f.entries.length, ...(f.error ? { error: f.error } : {}) })) } : {}),
      },
      economic: { verified: ledgerOk, rates: rates ?? null, chains: economic },
    };
    const problems = [...auditProblems.map((p) => `audit ${p.where}: ${p.problem}`), ...ledger.problems.map((p) => `ledger ${p.where}: ${p.problem}`), ...foreign.flatMap((f) => f.problems)];
    if (ctx.json) {
      ctx.emit({ cluster, workload: wl, tiers, problems });
      return problems.length ? 1 : 0;
    }
    const s = ctx.style;
    const mark = (ok: boolean) => (ok ? `${s.ok} verified` : `${s.fail} NOT verified`);
    ctx.out(`${s.bold("action")}     ${mark(tiers.action.verified)}: ${receipts.length} StepReceipts in ${ledger.blocks} blocks; ${about.length} audit entries about ${wl}`);
    ctx.out(`${s.bold("agreement")}  ${mark(auditOk)}: ${policy.length} policy decisions`);
    const foreignCount = foreign.reduce((n, f) => n + f.entries.length, 0);
    const foreignPromos = foreign.reduce((n, f) => n + new Set(f.entries.map((e) => e.details.promotion)).size, 0);
    ctx.out(`${s.bold("pipeline")}   ${mark(tiers.pipeline.verified)}: ${pipeline.length + foreignCount} receipts of ${promos.size + foreignPromos} promotion(s)${foreign.length ? ` (from ${foreign.map((f) => `cluster ${f.cluster}'s audit log, ${f.verified ? "verified" : "NOT verified"}`).join("; ")})` : ""}`);
    for (const e of tiers.pipeline.receipts) ctx.out(s.dim(`             ${"cluster" in e ? `${String(e.cluster)} ` : ""}seq ${e.seq} ${e.event}${"gate" in e ? ` ${String(e.gate)} ${String(e.state)}` : ""} ${e.actor}`));
    for (const f of foreign) if (f.error) ctx.out(`  ${s.fail} ${f.error}`);
    ctx.out(`${s.bold("economic")}   ${mark(ledgerOk)}: ${economic.length} chain(s)${rates ? ` priced in ${rates.currency}` : "; no rate card (cluster config.rates)"}`);
    for (const c of economic) ctx.out(s.dim(`             ${c.chain}: ${RESOURCES.map((k) => `${k} ${c.resource[k]}`).join(", ")}${c.cost === null ? "" : ` = ${c.cost} ${c.currency}`}`));
    for (const p of problems) ctx.out(`  ${s.fail} ${p}`);
    return problems.length ? 1 : 0;
  },
});
