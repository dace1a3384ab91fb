import { defineCommand } from "../lib/command.ts";
import { usageError } from "../lib/errors.ts";
import { saveDefaultCluster } from "../lib/wallet.ts";

export default defineCommand({
  description: "Saved in config.json beside the wallet. $ENC_CLUSTER and --cluster still take precedence.",
  args: { name: { description: "the cluster", required: true } },
  async run(ctx, { args }) {
    // Checked locally only: `use` works offline, and the server names a wrong cluster on first use.
    if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(args.name)) throw usageError("bad_cluster_name", `${JSON.stringify(args.name)} is not a cluster name`);
    const file = saveDefaultCluster(ctx.env, args.name);
    if (ctx.json) return ctx.emit({ cluster: args.name, config: file });
    ctx.out(`${ctx.style.ok} Default cluster is now ${ctx.style.bold(args.name)} ${ctx.style.dim(`(saved in ${file})`)}`);
  },
});
