import type { HostRecord, HostView } from "../../protocol/api/registry.ts";
import { defineCommand } from "../lib/command.ts";
import { formatPairs, formatTable } from "../lib/table.ts";
import { hostPath, publicApi, requireHost } from "./registry-client.ts";

const target = (r: HostRecord | null) => (r === null ? "(removed)" : (r.https_endpoint ?? `gateway ${r.gateway!.cluster}/${r.gateway!.workload}`));

export default defineCommand({
  args: { host: { description: "the host", required: true } },
  flags: { versions: { type: "boolean", description: "list every version, oldest first" } },
  async run(ctx, { args, flags }) {
    const host = requireHost(args.host);
    const api = publicApi(ctx);
    if (flags.versions) {
      const { versions } = await api.get<{ versions: Array<{ version: number; owner: string; actor: string; deleted: boolean; record: HostRecord | null; ts: string }> }>(`${hostPath(host)}/versions?limit=1000`);
      if (ctx.json) return ctx.emit({ host, versions });
      if (versions.length === 0) return ctx.out(`${host} was never registered.`);
      ctx.out(formatTable(["VERSION", "TIME", "TARGET", "OWNER", "BY"], versions.map((v) => [String(v.version), v.ts, target(v.record), v.owner, v.actor]), ctx.style));
      return;
    }
    const { registration: r } = await api.get<{ registration: HostView }>(hostPath(host));
    if (ctx.json) return ctx.emit({ registration: r });
    ctx.out(
      formatPairs(
        [
          ["Host", ctx.style.bold(host)],
          ["Target", target(r.record)],
          ["Wallet binding", r.record.wallet_binding ?? ctx.style.dim("none")],
          ["TTL", `${r.record.ttl_s} s`],
          ["Owner", r.owner],
          ["Version", `${r.version} (${r.updated_at})`],
          ["Audit entry", r.audit_hash],
        ],
        ctx.style,
      ),
    );
  },
});
