// `enc nodes cordon|drain|uncordon`: one declaration, three commands (one file each in commands/;
// their names and summaries are in the table, commands/index.ts).
import { isAddress } from "../../protocol/address.ts";
import type { ApiClient } from "../../protocol/api-client.ts";
import { routes } from "../../protocol/routes.ts";
import type { ClusterNode } from "./api-types.ts";
import { CLUSTER_FLAG, defineCommand } from "./command.ts";
import { CLIError, usageError } from "./errors.ts";

const VERBS = {
  cordon: { done: "Cordoned", after: "running replicas stay; new ones go elsewhere" },
  drain: { done: "Draining", after: "its replicas are being rescheduled elsewhere" },
  uncordon: { done: "Uncordoned", after: "it takes new replicas again" },
} as const;
const MODE_ROUTE = { cordon: routes.nodeCordon, drain: routes.nodeDrain, uncordon: routes.nodeUncordon } as const;

export function nodeModeCommand(verb: keyof typeof VERBS) {
  const v = VERBS[verb];
  return defineCommand({
    description: "ADDRESS is a node's wallet address, or an unambiguous start of it (as `enc ps` shows: bpi1abc…).",
    args: { address: { description: "the node, bpi1…", required: true } },
    flags: { ...CLUSTER_FLAG },
    examples: [`enc nodes ${verb} bpi1… --cluster demo`],
    async run(ctx, { args, flags }) {
      const cluster = ctx.cluster(flags.cluster);
      const api = await ctx.client();
      const address = await resolveNode(api, cluster, args.address);
      const { node } = await api.post<{ node: ClusterNode }>(MODE_ROUTE[verb](cluster, address));
      if (ctx.json) return ctx.emit({ cluster, node });
      ctx.out(`${ctx.style.ok} ${v.done} node ${node.address} (now ${node.status}): ${v.after}.`);
    },
  });
}

/** A full address as given; otherwise the one node whose address starts (and ends) as written. */
export async function resolveNode(api: ApiClient, cluster: string, given: string): Promise<string> {
  if (isAddress(given)) return given;
  const [head, tail = ""] = (given as string).split("…");
  if (!head.startsWith("bpi1") || head.length < 8) {
    throw usageError("bad_address", `${JSON.stringify(given)} is not a node address (bpi1…, 62 characters, or its first 8 or more)`);
  }
  const { nodes } = await api.get<{ nodes: ClusterNode[] }>(routes.nodes(cluster));
  const hits = nodes.filter((n) => n.address.startsWith(head) && n.address.endsWith(tail));
  if (hits.length === 1) return hits[0].address;
  if (hits.length === 0) throw new CLIError("no_node", `no node of cluster ${cluster} matches ${given}`, 1, "List them with `enc nodes`.");
  throw new CLIError("ambiguous_node", `${given} matches ${hits.length} nodes: ${hits.map((n) => n.address).join(", ")}`, 1, "Give more of the address.");
}
