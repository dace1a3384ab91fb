// `enc apply` and `enc agreement deploy|update`: send each file, print kubectl's words per object.
import { routes } from "../../protocol/routes.ts";
import type { AgreementApplyResponse } from "../../protocol/api/agreement.ts";
import type { Context } from "./context.ts";
import { docQuery, readDocs, sendDoc } from "./agreement-docs.ts";
import { usageError } from "./errors.ts";

export async function applyFiles(
  ctx: Context,
  cluster: string,
  opts: { file?: string; type?: string; name?: string; dryRun?: boolean; prune?: boolean; targetNodes?: string },
): Promise<AgreementApplyResponse["results"]> {
  if (opts.type && !["cue-yaml", "compose", "cue-cage", "cue-tree", "docklock", "k8s"].includes(opts.type)) throw usageError("bad_type", `--type ${opts.type}: one of cue-yaml, compose, cue-cage, cue-tree, docklock, k8s`);
  const docs = await readDocs(ctx, opts.file, opts.name);
  const api = await ctx.client();
  const all: AgreementApplyResponse["results"] = [];
  for (const d of docs) {
    const q = docQuery({ type: opts.type, name: d.name, dry_run: opts.dryRun, prune: opts.prune, target_nodes: opts.targetNodes });
    const { results } = await sendDoc<AgreementApplyResponse>(api, d, routes.agreements(cluster) + q);
    all.push(...results);
  }
  if (ctx.json) {
    ctx.emit({ cluster, results: all });
    return all;
  }
  for (const r of all) {
    const waves = r.pending_waves.length ? `; ${r.pending_waves.length} more wave(s) once the one before is ready` : "";
    const reg = r.registered?.length ? `; httpcg://${r.registered.join(", httpcg://")} -> its gateway` : "";
    ctx.out(`agreement/${r.name} ${r.action}${r.dry_run ? " (dry run)" : ""} (${r.type} v${r.version}${waves}${reg})`);
    if (ctx.wide || r.dry_run) for (const w of r.workloads) if (w.action !== "unchanged") ctx.out(`  workload/${w.name} ${w.action}${w.changed.length ? `: ${w.changed.join(", ")}` : ""}`);
  }
  return all;
}
