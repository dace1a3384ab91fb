import { routes } from "../../protocol/routes.ts";
import type { PlacementView } from "../../protocol/api/placement.ts";
import { checkQuorum, verifyPlacementApproval, verifyPlacementRefusal } from "../../protocol/placement-approval.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { CLIError } from "../lib/errors.ts";
import { formatTable, short } from "../lib/table.ts";

type Answer = { quorum: number; epoch: number; validators: string[]; placements: PlacementView[] };

export default defineCommand({
  description:
    "Each placement round of a workload (consensus placement): its node, status and the validators'\n" +
    "signed approvals and refusals. --verify checks every committed round offline with the protocol\n" +
    "code: k distinct approvals of exactly that (workload, replica, node, spec_hash, round), each\n" +
    "signed by a validator of the set. The validators' own keys are the verifier keys (no /v1/keys);\n" +
    "--validators and --quorum pin the set instead of taking the one the control plane reports.",
  args: { name: { description: "the workload", required: true } },
  flags: {
    ...CLUSTER_FLAG,
    verify: { type: "boolean", description: "verify every approval and refusal signature and each committed round's quorum" },
    validators: { type: "string", placeholder: "bpi1…,bpi1…", description: "the validator set to verify against (default: as reported)" },
    quorum: { type: "string", placeholder: "k", description: "the quorum to verify against (default: as reported)" },
  },
  examples: ["enc placements web", "enc placements web --verify --validators bpi1…,bpi1…,bpi1… --quorum 2"],
  async run(ctx, { args, flags }) {
    const cluster = ctx.cluster(flags.cluster);
    const api = await ctx.client();
    const res = await api.get<Answer>(routes.workloadPlacements(cluster, args.name));
    const set = {
      quorum: flags.quorum !== undefined ? Number(flags.quorum) : res.quorum,
      validators: flags.validators !== undefined ? flags.validators.split(",").map((v) => v.trim()).filter(Boolean) : res.validators,
    };
    if (!Number.isInteger(set.quorum) || set.quorum < 1) throw new CLIError("bad_quorum", `--quorum must be a positive integer, got ${flags.quorum}`, 2);
    let report: { committed: number; problems: string[] } | undefined;
    if (flags.verify) {
      const problems: string[] = [];
      let committed = 0;
      for (const p of res.placements) {
        for (const a of p.approvals) {
          const v = await verifyPlacementApproval(a);
          if (!v.ok) problems.push(`${p.replica} round ${p.round}: ${v.reason}`);
        }
        for (const r of p.refusals) {
          const v = await verifyPlacementRefusal(r);
          if (!v.ok) problems.push(`${p.replica} round ${p.round}: ${v.reason}`);
        }
        if (p.status !== "committed") continue;
        committed++;
        const q = await checkQuorum(p.approvals, { cluster, workload: p.workload, replica: p.replica, node: p.node, spec_hash: p.spec_hash, round: p.round }, set);
        if (!q.ok) problems.push(`${p.replica} round ${p.round}: committed with ${q.approvers.length} of ${q.needed} valid approvals${q.rejected.length ? ` (${q.rejected.join("; ")})` : ""}`);
      }
      report = { committed, problems };
    }
    if (ctx.json) {
      ctx.emit({ cluster, workload: args.name, ...res, ...(report ? { verified: { quorum: set.quorum, validators: set.validators, ...report, ok: report.problems.length === 0 } } : {}) });
    } else {
      const s = ctx.style;
      const status = (st: string) => (st === "committed" ? s.green(st) : st === "refused" ? s.red(st) : s.yellow(st));
      const rows = res.placements.map((p) => [
        p.replica,
        String(p.round),
        status(p.status),
        short(p.node),
        `${p.approvals.length}/${p.quorum}`,
        p.approvals.map((a) => short(a.validator)).join(", ") || "-",
        p.refusals.map((r) => `${short(r.validator)}: ${r.reason}`).join("; ") || "-",
      ]);
      if (rows.length === 0) ctx.out(`No placement rounds for ${args.name} (the cluster may not place by consensus).`);
      else ctx.out(formatTable(["REPLICA", "ROUND", "STATUS", "NODE", "APPROVALS", "APPROVED BY", "REFUSALS"], rows, s));
      ctx.out(s.dim(`validator set epoch ${res.epoch}: ${res.quorum} of ${res.validators.length}`));
      if (report) {
        ctx.out(`checked with the validators' keys: ${set.validators.join(", ")} (quorum ${set.quorum})`);
        if (report.problems.length === 0) ctx.out(s.green(`verified: ${report.committed} committed placement(s), each with a quorum of ${set.quorum} valid approvals`));
      }
    }
    if (report && report.problems.length) throw new CLIError("placement_unverified", `placements of ${args.name} do not verify:\n  ${report.problems.join("\n  ")}`);
  },
});
