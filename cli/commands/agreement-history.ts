import { routes } from "../../protocol/routes.ts";
import type { AgreementVersion } from "../../protocol/api/agreement.ts";
import { defineCommand, CLUSTER_FLAG } from "../lib/command.ts";
import { formatTable, short } from "../lib/table.ts";

export default defineCommand({
  description: "Every version of an agreement, oldest first: its content hash, author (the signing wallet) and time; * is current.",
  args: { name: { description: "the agreement", required: true } },
  flags: { ...CLUSTER_FLAG },
  examples: ["enc agreement history shop"],
  async run(ctx, { args, flags }) {
    const cluster = ctx.cluster(flags.cluster);
    const { versions } = await (await ctx.client()).get<{ versions: AgreementVersion[] }>(routes.agreementVersions(cluster, args.name));
    if (ctx.json) return ctx.emit({ cluster, agreement: args.name, versions });
    const rows = versions.map((v) => [`${v.version}${v.current ? "*" : ""}`, v.hash, short(v.author), v.created_at, v.cause]);
    ctx.out(formatTable(["VERSION", "HASH", "AUTHOR", "CREATED", "CAUSE"], rows, ctx.style));
  },
});
