import { routes } from "../../protocol/routes.ts";
import type { AgreementApplyResult } from "../../protocol/api/agreement.ts";
import { defineCommand, CLUSTER_FLAG } from "../lib/command.ts";
import { usageError } from "../lib/errors.ts";

export default defineCommand({
  description: "Re-applies an earlier version of an agreement as a rolling update: previous (default), a number or a hash.",
  args: { name: { description: "the agreement", required: true } },
  flags: { ...CLUSTER_FLAG, version: { type: "string", placeholder: "previous|N|HASH", description: "the version to go back to (default: previous)" } },
  examples: ["enc agreement rollback shop", "enc agreement rollback shop --version 2"],
  async run(ctx, { args, flags }) {
    const cluster = ctx.cluster(flags.cluster);
    const want = flags.version ?? "previous";
    if (!/^(previous|[1-9][0-9]*|blake3:[0-9a-f]{64})$/.test(want)) throw usageError("bad_version", `--version ${want}: previous, a version number or blake3:<hash>`);
    const r = await (await ctx.client()).post<AgreementApplyResult>(routes.agreementRollback(cluster, args.name), { version: /^[0-9]+$/.test(want) ? Number(want) : want });
    if (ctx.json) return ctx.emit(r);
    ctx.out(`agreement/${r.name} rolled back to v${r.version} (${r.hash})`);
    for (const w of r.workloads) if (w.action !== "unchanged") ctx.out(`  workload/${w.name} ${w.action}${w.changed.length ? `: ${w.changed.join(", ")}` : ""}`);
  },
});
