// `enc-agent join`: register this host as a node of a cluster.
import { labels, required } from "./cli-args.ts";
import { DATA_DIR_FLAG, defineAgentCommand } from "./command-context.ts";
import { joinCluster } from "./daemon/join-cluster.ts";

export default defineAgentCommand({
  description:
    "Creates the node key (DIR/node.key, 0600), pins the control plane's keys and registers this host\n" +
    "with its measured capabilities. --force joins again with the same key (the old registration's\n" +
    "spool and state are archived).",
  flags: {
    url: { type: "string", placeholder: "URL", description: "the control plane (required)" },
    cluster: { type: "string", placeholder: "NAME", description: "the cluster to join (required)" },
    token: { type: "string", placeholder: "TOKEN", description: "a join token from `enc token create` (required)" },
    ...DATA_DIR_FLAG,
    "node-type": { type: "string", placeholder: "type", description: "the node type (default compute)" },
    endpoint: { type: "string", placeholder: "URL", description: "where the gateway reaches this node" },
    label: { type: "string", placeholder: "k=v", multiple: true, description: "a node label (repeatable)" },
    zone: { type: "string", placeholder: "Z", description: "the node's zone" },
    force: { type: "boolean", description: "join again with the same key" },
  },
  examples: ["enc-agent join --url https://enc.example.com --cluster demo --token … --label rack=r1 --zone z1"],
  async run({ log, out }, { flags }) {
    const dataDir = flags["data-dir"];
    const cfg = await joinCluster({
      url: required(flags.url, "url"),
      cluster: required(flags.cluster, "cluster"),
      token: required(flags.token, "token"),
      dataDir,
      nodeType: flags["node-type"],
      endpoint: flags.endpoint,
      labels: labels(flags.label),
      zone: flags.zone,
      force: flags.force,
      log,
    });
    out(`joined cluster ${cfg.cluster} at ${cfg.url} as node ${cfg.address}\n`);
    if (cfg.validator_set) out(`consensus placement: pinned validator set epoch ${cfg.validator_set.epoch}, ${cfg.validator_set.quorum} of ${cfg.validator_set.validators.length} validators\n`);
    out(`control-plane key pinned: ${cfg.control_plane}\n`);
    out(`next: enc-agent run --data-dir ${dataDir}\n`);
    return 0;
  },
});
