import { routes } from "../../protocol/routes.ts";
import { ApiError } from "../../protocol/api-client.ts";
import { defineCommand } from "../lib/command.ts";
import { CLIError, usageError } from "../lib/errors.ts";
import { saveDefaultCluster } from "../lib/wallet.ts";

export default defineCommand({
  description:
    "Checks with the control plane that the cluster exists and your wallet holds a role in it, then saves it in config.json beside the wallet (or in the current context).\n" +
    "$ENC_CLUSTER and --cluster still take precedence. --offline saves it without asking.",
  args: { name: { description: "the cluster", required: true } },
  flags: { offline: { type: "boolean", description: "save it without checking that it exists" } },
  async run(ctx, { args, flags }) {
    if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(args.name)) throw usageError("bad_cluster_name", `${JSON.stringify(args.name)} is not a cluster name`);
    if (!flags.offline) {
      const api = await ctx.client();
      await api.get(routes.cluster(args.name)).catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 404) {
          throw new CLIError("no_cluster", `no cluster ${args.name} at ${ctx.url} that your wallet can see`, 1, "Create it with `enc cluster create`, or ask its owner for a role.");
        }
        throw err;
      });
    }
    const file = saveDefaultCluster(ctx.env, args.name);
    if (ctx.json) return ctx.emit({ cluster: args.name, config: file });
    ctx.out(`${ctx.style.ok} Default cluster is now ${ctx.style.bold(args.name)} ${ctx.style.dim(`(saved in ${file})`)}`);
  },
});
