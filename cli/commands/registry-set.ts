import { ApiError } from "../../protocol/api-client.ts";
import { defineCommand } from "../lib/command.ts";
import { usageError } from "../lib/errors.ts";
import { intFlag, requireAddress } from "../lib/values.ts";
import { hostPath, requireHost } from "./registry-client.ts";

interface Registration {
  host: string;
  version: number;
  owner: string;
  record: { https_endpoint?: string; gateway?: { cluster: string; workload: string }; wallet_binding: string | null; ttl_s: number };
}

export default defineCommand({
  description:
    "Points httpcg://<host>/… at an HTTPS endpoint, or at a cluster workload's gateway\n" +
    "(<control plane>/v1/clusters/<cluster>/services/<workload>/; needs the operator role there).",
  args: { host: { description: "the host, e.g. app.example.com", required: true } },
  flags: {
    endpoint: { type: "string", placeholder: "https://…", description: "the HTTPS endpoint the host resolves to" },
    gateway: { type: "string", placeholder: "cluster/workload", description: "resolve to this cluster workload's gateway instead" },
    "wallet-binding": { type: "string", placeholder: "bpi1…|none", description: "the wallet bound to the host (default none)" },
    ttl: { type: "string", placeholder: "seconds", description: "cache TTL for resolvers, 1-86400 (default 300)" },
  },
  examples: ["enc registry set app.example.com --endpoint https://origin.example.com/app", "enc registry set web.example.com --gateway demo/web"],
  async run(ctx, { args, flags }) {
    const host = requireHost(args.host);
    if ((flags.endpoint === undefined) === (flags.gateway === undefined)) throw usageError("bad_flag", "give exactly one of --endpoint or --gateway");
    const body: Record<string, unknown> = {};
    if (flags.endpoint !== undefined) body.https_endpoint = flags.endpoint;
    if (flags.gateway !== undefined) {
      const [cluster, workload, more] = flags.gateway.split("/");
      if (!cluster || !workload || more !== undefined) throw usageError("bad_flag_value", "--gateway is <cluster>/<workload>");
      body.gateway = { cluster, workload };
    }
    const wb = flags["wallet-binding"];
    if (wb !== undefined) body.wallet_binding = wb === "none" ? null : requireAddress(wb, "--wallet-binding");
    const ttl = intFlag(flags.ttl, "ttl", 1, 86_400);
    if (ttl !== undefined) body.ttl_s = ttl;
    const api = await ctx.client();
    const res = await api.raw("PUT", hostPath(host), body);
    const data = (await res.json()) as { registration: Registration; changed: boolean } & { detail?: string };
    // raw(), not put(): 201 and 200 tell a new registration from an update.
    if (!res.ok) throw new ApiError(res.status, data);
    const created = res.status === 201;
    if (ctx.json) return ctx.emit({ created, ...data });
    const r = data.registration;
    const target = r.record.https_endpoint ?? `gateway of ${r.record.gateway!.cluster}/${r.record.gateway!.workload}`;
    const verb = created ? "Registered" : data.changed ? "Updated" : "Unchanged:";
    ctx.out(`${ctx.style.ok} ${verb} httpcg://${host} → ${ctx.style.bold(target)} (version ${r.version}, owner ${r.owner}).`);
  },
});
