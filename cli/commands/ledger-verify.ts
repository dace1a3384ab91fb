import type { ChainHead } from "../../protocol/head.ts";
import { signaturesChecked, verifyAppLedger, type VerifyReport } from "../../protocol/ledger-verify.ts";
import { textToMldsaPublicKey } from "../../protocol/mldsa.ts";
import { routes } from "../../protocol/routes.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { apiLedgerSource, notaryStats } from "../lib/ledger-source.ts";
import { readPin, writePin } from "../lib/pin.ts";
import { progress } from "../lib/progress.ts";
import { verifierPool } from "../lib/verify-pool.ts";
import { apiLogSource, logLine, NOT_SERVED, remember, rememberedPath, sinceCheckpoint } from "../lib/checkpoints.ts";
import { WITNESS_FLAGS, checkWitnessed, witnessPolicy, witnessLine, appCheckpointPath } from "../lib/witness/verify.ts";

export default defineCommand({
  description:
    "Checks the notary's signed head of the app (GET …/apps/{app}/head) and that the ledger reaches\n" +
    "exactly its height and hash, so deleted blocks are named; every LogBlock's notary signature\n" +
    "(against GET /v1/keys), consecutive heights and the prev chain, each Merkle root and count,\n" +
    "every receipt's hash and node signature, and each container's receipt chain. With --pin FILE,\n" +
    "also refuses a head behind, or a history that differs from, the one FILE holds, and saves\n" +
    "the new head there after a clean run. ML-DSA-65 co-signatures (quantum-safe clusters) are\n" +
    "checked against GET /v1/keys `notary_mldsa`, and required on every block from the notary's\n" +
    "first co-signed one (or on all with --require-mldsa); the result says which signatures were\n" +
    "checked. Names every problem; exits 1 if there is any.\n" +
    "The app's transparency log (PROTOCOL.md §6): the newest checkpoint's signature, a ledger of\n" +
    "exactly its size and root, every receipt proved from its tiles, each block's tlog binding, and\n" +
    "consistency with the checkpoint seen before (--since-checkpoint FILE, else the one this CLI\n" +
    "remembered for the log under its config dir): a rollback or fork fails the run.",
  args: { app: { description: "the app (workload name)", required: true } },
  flags: {
    ...CLUSTER_FLAG,
    pin: { type: "string", placeholder: "FILE", description: "the last head accepted for this app; created on the first run" },
    verbose: { type: "boolean", short: "v", description: "progress lines on stderr when it is not a terminal" },
    "require-mldsa": { type: "boolean", description: "every block must carry a valid ML-DSA-65 co-signature" },
    "since-checkpoint": { type: "string", placeholder: "FILE", description: "a checkpoint (signed note) of this app's log seen before; the log must extend it" },
    ...WITNESS_FLAGS,
  },
  async run(ctx, { args, flags }) {
    const cluster = ctx.cluster(flags.cluster);
    const witnesses = witnessPolicy(flags);
    const api = await ctx.client();
    const { notary, notary_mldsa } = await ctx.keys();
    const pin = await readPin(flags.pin, { kind: "log", cluster, app: args.app, signer: notary });
    const remembered = rememberedPath(ctx.env, ctx.url, `${cluster}/${args.app}`);
    const since = sinceCheckpoint(flags["since-checkpoint"], remembered);
    // The checkpoint, then the head, then the history: each reaches at least as far as the one before.
    const logSource = apiLogSource(api, routes.appLog(cluster, args.app).replace(/\/$/, ""));
    const note = await logSource.checkpoint().catch((e: Error) => e);
    const served = !(note instanceof Error && note.message === NOT_SERVED);
    const head = await api.get<ChainHead>(routes.appHead(cluster, args.app));
    const total = typeof head?.size === "number" ? head.size : null;
    // From the notary (its own storage, not D1): where ML-DSA-65 co-signing began for this app.
    // A server that does not answer has no boundary to give: the "never turned off" rule still holds.
    const from = flags["require-mldsa"] ? 1 : (await notaryStats(api, cluster, args.app).catch(() => undefined))?.mldsa_from_height;
    const mldsa = { publicKey: notary_mldsa ? textToMldsaPublicKey(notary_mldsa) : undefined, requiredFrom: from };
    const bar = progress(ctx.io.stderr, "verifying blocks", { verbose: flags.verbose });
    let report: VerifyReport;
    // Receipts are checked on every core; where no worker script exists (running from source), here.
    const pool = verifierPool();
    try {
      report = await verifyAppLedger(
        {
          ...apiLedgerSource(api, cluster, args.app),
          // A server without the log (nothing sealed, or before 1.1) is fine unless one was seen before.
          ...(served || since ? { log: { source: { ...logSource, checkpoint: async () => { if (note instanceof Error) throw note; return note; } }, cluster, app: args.app, since } } : {}),
        },
        notary,
        (done) => bar.update(done, total ? Math.max(done, total) : null),
        { head, pin, cluster, app: args.app },
        pool?.verify,
        mldsa,
      );
    } finally {
      bar.finish();
      await pool?.close();
    }
    if (flags["require-mldsa"] && !notary_mldsa) report.problems.push({ where: "keys", problem: "--require-mldsa, but GET /v1/keys publishes no notary_mldsa key" });
    const witnessed = witnesses && (await checkWitnessed(api, appCheckpointPath(cluster, args.app), notary, witnesses, note));
    if (witnessed) report.problems.push(...witnessed.problems);
    const ok = report.problems.length === 0;
    const signatures = signaturesChecked(report.blocks, report.mldsa);
    if (ok) writePin(flags.pin, head);
    if (ok && report.log) remember(remembered, report.log.checkpoint);
    if (ctx.json) {
      ctx.emit({ cluster, app: args.app, notary, ok, blocks: report.blocks, receipts: report.receipts, signatures, mldsa_checked: report.mldsa.checked, head, log: report.log ?? null, problems: report.problems, ...(witnessed && { witnessed }) });
      return ok ? 0 : 1;
    }
    const s = ctx.style;
    const counts = `${report.blocks} block${report.blocks === 1 ? "" : "s"}, ${report.receipts} receipt${report.receipts === 1 ? "" : "s"}`;
    if (ok) {
      if (report.blocks === 0) ctx.out(`${s.ok} ${cluster}/${args.app} has no sealed blocks yet (the notary's signed head is at height 0): nothing to verify.`);
      else ctx.out(`${s.ok} Ledger of ${cluster}/${args.app} verified: ${counts}, up to the notary's signed head (height ${head.size}), signed by notary ${notary}; block signatures checked: ${signatures}.`);
      if (report.log) ctx.out(`${s.ok} ${logLine(report.log)}.`);
      if (witnessed) ctx.out(witnessLine(s.ok, witnessed));
      return 0;
    }
    ctx.out(`${s.fail} Ledger of ${cluster}/${args.app} FAILED verification: ${report.problems.length} problem${report.problems.length === 1 ? "" : "s"} in ${counts} (block signatures checked: ${signatures}).\n`);
    for (const p of report.problems) ctx.out(`  ${s.fail} ${s.bold(p.where)}: ${p.problem}`);
    return 1;
  },
});
