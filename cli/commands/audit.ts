import type { ChainHead } from "../../protocol/head.ts";
import { signaturesChecked, verifyAuditHistory } from "../../protocol/ledger-verify.ts";
import type { Cluster } from "../../protocol/api/cluster.ts";
import { textToMldsaPublicKey } from "../../protocol/mldsa.ts";
import { routes } from "../../protocol/routes.ts";
import type { AuditEntry } from "../../protocol/schemas.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import type { Context } from "../lib/context.ts";
import { allAuditEntries } from "../lib/ledger-source.ts";
import { readPin, writePin } from "../lib/pin.ts";
import { progress } from "../lib/progress.ts";
import { formatTable } from "../lib/table.ts";
import { intFlag } from "../lib/values.ts";
import { apiLogSource, logLine, NOT_SERVED, remember, rememberedPath, sinceCheckpoint } from "../lib/checkpoints.ts";
import type { LogSource } from "../../protocol/tlog-verify.ts";
import { WITNESS_FLAGS, auditCheckpointPath, checkWitnessed, witnessPolicy, witnessLine, type WitnessPolicy } from "../lib/witness/verify.ts";

export default defineCommand({
  description:
    "--verify checks the control plane's signed head (GET …/audit/head), reads every entry from\n" +
    "seq 1 and checks each control-plane signature (against GET /v1/keys), consecutive seq numbers,\n" +
    "the prev_hash chain, and that the chain reaches exactly the head's seq and hash, so deleted\n" +
    "entries are named. With --pin FILE, also refuses a head behind, or a history that differs\n" +
    "from, the one FILE holds, and saves the new head there after a clean run. ML-DSA-65\n" +
    "co-signatures are checked against GET /v1/keys `control_plane_mldsa`; a quantum-safe cluster's\n" +
    "chain must carry them from the entry that turned quantum_safe on. Exits 1 on any problem.\n" +
    "It also checks the audit transparency log (PROTOCOL.md §6): the newest checkpoint's signature,\n" +
    "exactly its size and root, every entry proved from its tiles, and consistency with the checkpoint\n" +
    "seen before (--since-checkpoint FILE, else the one remembered under the CLI's config dir).",
  flags: {
    ...CLUSTER_FLAG,
    verify: { type: "boolean", description: "verify the whole chain instead of listing a page" },
    pin: { type: "string", placeholder: "FILE", description: "with --verify: the last head accepted for this cluster; created on the first run" },
    "from-seq": { type: "string", placeholder: "N", default: "1", description: "first seq to list (default 1)" },
    limit: { type: "string", placeholder: "N", default: "100", description: "at most N entries, 1-1000 (default 100)" },
    verbose: { type: "boolean", short: "v", description: "with --verify: progress lines on stderr when it is not a terminal" },
    "since-checkpoint": { type: "string", placeholder: "FILE", description: "with --verify: a checkpoint of this cluster's audit log seen before; the log must extend it" },
    ...WITNESS_FLAGS,
  },
  async run(ctx, { flags }) {
    const cluster = ctx.cluster(flags.cluster);
    const from = intFlag(flags["from-seq"], "from-seq")!;
    const limit = intFlag(flags.limit, "limit", 1, 1000)!;
    const api = await ctx.client();
    const witnesses = witnessPolicy(flags);
    if (flags.verify) {
      const { control_plane } = await ctx.keys();
      const pin = await readPin(flags.pin, { kind: "audit", cluster, signer: control_plane });
      const remembered = rememberedPath(ctx.env, ctx.url, `${cluster}/audit`);
      const since = sinceCheckpoint(flags["since-checkpoint"], remembered);
      // Checkpoint, head, history: each reaches at least as far as the one before.
      const source = apiLogSource(api, routes.auditLog(cluster).replace(/\/$/, ""));
      const note = await source.checkpoint().catch((e: Error) => e);
      const served = !(note instanceof Error && note.message === NOT_SERVED);
      const log = served || since ? { source, since, note, remembered } : undefined;
      // The head before the history: entries appended after it are simply not checked this time.
      const head = await api.get<ChainHead>(routes.auditHead(cluster));
      const bar = progress(ctx.io.stderr, "reading audit entries", { verbose: flags.verbose });
      let entries: AuditEntry[];
      try {
        entries = await allAuditEntries(api, cluster, (n) => bar.update(n, null));
      } finally {
        bar.finish(); // before any result line, which would otherwise land on the bar's line
      }
      const { cluster: view } = await api.get<{ cluster: Cluster }>(routes.cluster(cluster));
      return verify(ctx, cluster, entries, head, pin, flags.pin, view.config.quantum_safe === true, log, witnesses);
    }
    const { entries } = await api.get<{ entries: AuditEntry[] }>(`${routes.audit(cluster)}?from_seq=${from}&limit=${limit}`);
    if (ctx.json) return ctx.emit({ cluster, entries });
    if (entries.length === 0) return ctx.out(`No audit entries in ${cluster}${from > 1 ? ` from seq ${from}` : ""}.`);
    const rows = entries.map((e) => [String(e.seq), e.ts, e.event, e.actor, e.subject]);
    ctx.out(formatTable(["SEQ", "TIME", "EVENT", "ACTOR", "SUBJECT"], rows, ctx.style));
    const more = entries.length === limit ? `; more with --from-seq ${entries[entries.length - 1].seq + 1}` : "";
    ctx.out(ctx.style.dim(`${entries.length} entr${entries.length === 1 ? "y" : "ies"}${more}. Check the chain with \`enc audit --verify\`.`));
  },
});

async function verify(
  ctx: Context,
  cluster: string,
  all: AuditEntry[],
  head: ChainHead,
  pin: ChainHead | undefined,
  pinFile: string | undefined,
  quantumSafe: boolean,
  logCheck?: { source: LogSource; since?: string; note: string | Error; remembered: string },
  witnesses: WitnessPolicy | null = null,
): Promise<number> {
  const { control_plane, control_plane_mldsa } = await ctx.keys();
  const publicKey = control_plane_mldsa ? textToMldsaPublicKey(control_plane_mldsa) : undefined;
  const note = logCheck?.note;
  const log = logCheck
    ? { source: { ...logCheck.source, checkpoint: async () => { if (note instanceof Error) throw note; return note!; } }, since: logCheck.since }
    : undefined;
  const { checked, last_seq: last, problems, mldsa, log: logReport } = await verifyAuditHistory(all, control_plane, { head, pin, cluster, log }, { publicKey, quantumSafe });
  const witnessed = witnesses && (await checkWitnessed(await ctx.client(), auditCheckpointPath(cluster), control_plane, witnesses, note));
  if (witnessed) problems.push(...witnessed.problems);
  const ok = problems.length === 0;
  const signatures = signaturesChecked(checked, mldsa);
  if (ok) writePin(pinFile, head);
  if (ok && logReport && logCheck) remember(logCheck.remembered, logReport.checkpoint);
  if (ctx.json) {
    ctx.emit({ cluster, control_plane, ok, entries: checked, last_seq: last, signatures, mldsa_checked: mldsa.checked, head, log: logReport ?? null, problems, ...(witnessed && { witnessed }) });
    return ok ? 0 : 1;
  }
  const s = ctx.style;
  if (ok) {
    ctx.out(`${s.ok} Audit chain of ${cluster} verified: ${checked} entr${checked === 1 ? "y" : "ies"} (seq 1–${last}) up to the control plane's signed head, signed by control plane ${control_plane}; signatures checked: ${signatures}.`);
    if (logReport) ctx.out(`${s.ok} ${logLine(logReport)}.`);
    if (witnessed) ctx.out(witnessLine(s.ok, witnessed));
    return 0;
  }
  ctx.out(`${s.fail} Audit chain of ${cluster} FAILED verification: ${problems.length} problem${problems.length === 1 ? "" : "s"} in ${checked} entries.\n`);
  for (const p of problems) ctx.out(`  ${s.fail} ${s.bold(p.where)}: ${p.problem}`);
  return 1;
}
