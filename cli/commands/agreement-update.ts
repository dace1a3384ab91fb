import { defineCommand, CLUSTER_FLAG } from "../lib/command.ts";
import { applyFiles } from "../lib/agreement-apply.ts";
import { DOC_FLAGS } from "../lib/agreement-docs.ts";

export default defineCommand({
  description: "Updates an agreement with a new document: its workloads roll to the new version (`enc apply -f`).",
  flags: {
    ...CLUSTER_FLAG,
    ...DOC_FLAGS,
    "target-nodes": { type: "string", placeholder: "A,B", description: "node addresses (bpi1…) every workload is placed on, and only there" },
  },
  examples: ["enc agreement update --type cue-yaml --file agreement.yaml"],
  async run(ctx, { flags }) {
    await applyFiles(ctx, ctx.cluster(flags.cluster), { file: flags.file, type: flags.type, name: flags.name, targetNodes: flags["target-nodes"] });
  },
});
