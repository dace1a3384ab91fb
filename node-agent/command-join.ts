// `enc-agent join`: register this host as a node of a cluster.
import { labels, parseArgs, required, str } from "./cli-args.ts";
import { joinCluster } from "./daemon/join-cluster.ts";
import type { Logger } from "./daemon/logger.ts";

export const DEFAULT_DATA_DIR = "/var/lib/enc-agent";

export async function joinCommand(argv: string[], log: Logger, out: (s: string) => void): Promise<number> {
  const p = parseArgs(argv, {
    url: {}, cluster: {}, token: {}, "data-dir": {}, "node-type": {}, endpoint: {}, label: { repeat: true }, zone: {}, force: { boolean: true },
    "log-level": {},
  });
  const dataDir = str(p, "data-dir") ?? DEFAULT_DATA_DIR;
  const cfg = await joinCluster({
    url: required(p, "url"),
    cluster: required(p, "cluster"),
    token: required(p, "token"),
    dataDir,
    nodeType: str(p, "node-type"),
    endpoint: str(p, "endpoint"),
    labels: labels(p),
    zone: str(p, "zone"),
    force: p.flags.force === true,
    log,
  });
  out(`joined cluster ${cfg.cluster} at ${cfg.url} as node ${cfg.address}\n`);
  out(`control-plane key pinned: ${cfg.control_plane}\n`);
  out(`next: enc-agent run --data-dir ${dataDir}\n`);
  return 0;
}
