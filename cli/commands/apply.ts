import { defineCommand, CLUSTER_FLAG } from "../lib/command.ts";
import { applyFiles } from "../lib/agreement-apply.ts";
import { DOC_FLAGS } from "../lib/agreement-docs.ts";

export default defineCommand({
  description:
    "Applies agreement documents in any format (CueYaml, Compose, CueTree, DockLock, Kubernetes, CueCage;\n" +
    "multi-document YAML): each is created, or configured as a rolling update, or left unchanged when its\n" +
    "content hash is the current version's. --prune removes workloads an agreement no longer names.",
  flags: {
    ...CLUSTER_FLAG,
    ...DOC_FLAGS,
    "dry-run": { type: "boolean", description: "say what would change, change nothing" },
    prune: { type: "boolean", description: "remove workloads an agreement created and no longer names" },
  },
  examples: ["enc apply -f agreement.yaml", "enc apply -f ./agreements/ --dry-run", "docker-compose config | enc apply -f - --name shop"],
  async run(ctx, { flags }) {
    await applyFiles(ctx, ctx.cluster(flags.cluster), { file: flags.file, type: flags.type, name: flags.name, dryRun: flags["dry-run"], prune: flags.prune });
  },
});
