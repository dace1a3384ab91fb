// enc-agent's commands, in the order its help lists them. A command's module (and the daemon code
// it needs) is imported only when that command is selected.
import type { AgentCommand } from "./command-context.ts";

export const AGENT_COMMANDS: readonly AgentCommand[] = [
  { name: "join", summary: "Register this host as a node of a cluster", load: () => import("./command-join.ts") },
  { name: "run", summary: "Serve until SIGTERM/SIGINT: heartbeats, desired state, containers, receipts", load: () => import("./command-run.ts") },
  { name: "replay", summary: "Rerun the container behind a receipt and compare witness roots", load: () => import("./command-replay.ts") },
  { name: "key", summary: "Print this node's address (creating its key), e.g. to name it a validator", load: () => import("./command-key.ts") },
  { name: "validators sign", summary: "Sign a validator-set proposal (from `enc validators propose`) with this node's key", load: () => import("./command-validators-sign.ts") },
  { name: "status", summary: "Show what a data dir holds: node, cluster, replicas, spooled receipts", load: () => import("./command-status.ts") },
];
