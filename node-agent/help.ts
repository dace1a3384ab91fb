// Usage text of enc-agent.
export const HELP = `enc-agent: the ENC node agent (runs caged containers under runc; needs root)

Usage:
  enc-agent join --url URL --cluster NAME --token TOKEN [--data-dir DIR]
                 [--node-type compute] [--endpoint URL] [--label k=v]... [--zone Z] [--force]
      Creates the node key (DIR/node.key, 0600), pins the control plane's keys and registers
      this host with its measured capabilities. --force joins again with the same key (the old
      registration's spool and state are archived).

  enc-agent run [--data-dir DIR] [--heartbeat-s 5] [--usage-s 60] [--poll-wait-s 25]
                [--stop-grace-s 10] [--backoff-s 1] [--backoff-max-s 60]
                [--port-range 30000-32767] [--url URL] [--log-level info]
      Serves until SIGTERM/SIGINT: heartbeats, desired state (long-poll), reconciliation,
      restart policies, receipts (spooled in DIR while the control plane is unreachable), logs.
      Stopping the agent leaves containers running; the next start adopts them.

  enc-agent replay RECEIPT_HASH [--data-dir DIR] [--timeout-s 300] [--json]
      Reruns the container that produced the receipt with the same image, command, env and
      seed, compares witness roots and records a \`replay\` receipt. Exit 0 on match, 3 on mismatch.

  enc-agent status [--data-dir DIR] [--json]
      What the data dir holds: node, cluster, replicas, receipts waiting in the spool.

DIR defaults to /var/lib/enc-agent.
`;
