// `enc-agent run`: serve until SIGTERM or SIGINT, then stop cleanly (containers keep running).
import { AgentError } from "./agent-error.ts";
import { num } from "./cli-args.ts";
import { DATA_DIR_FLAG, defineAgentCommand } from "./command-context.ts";
import { Agent } from "./daemon/agent.ts";
import { checkRunc } from "./daemon/host-capabilities.ts";
import { parsePortRange } from "./daemon/host-ports.ts";

/** --capacity-*: the one not given is left unbounded (validators then check only the other). */
function capacityOf(mem: string | undefined, cpu: string | undefined): { cpu_millis: number; memory_mb: number } | undefined {
  if (mem === undefined && cpu === undefined) return undefined;
  return {
    memory_mb: mem === undefined ? Number.MAX_SAFE_INTEGER : num(mem, "capacity-memory-mb", 0, 1e9)!,
    cpu_millis: cpu === undefined ? Number.MAX_SAFE_INTEGER : num(cpu, "capacity-cpu-millis", 0, 1e9)!,
  };
}

const seconds = (description: string) => ({ type: "string", placeholder: "s", description }) as const;

export default defineAgentCommand({
  description:
    "Serves until SIGTERM/SIGINT: heartbeats, desired state (long-poll), reconciliation, restart\n" +
    "policies, receipts (spooled in DIR while the control plane is unreachable), logs. Stopping the\n" +
    "agent leaves containers running; the next start adopts them.",
  flags: {
    ...DATA_DIR_FLAG,
    "heartbeat-s": seconds("seconds between heartbeats (default 5)"),
    "usage-s": seconds("seconds between usage receipts (default 60)"),
    "poll-wait-s": seconds("long-poll wait for the desired state (default 25)"),
    "stop-grace-s": seconds("SIGTERM to SIGKILL grace for a stopped container (default 10)"),
    "backoff-s": seconds("first restart backoff (default 1)"),
    "backoff-max-s": seconds("longest restart backoff (default 60)"),
    "port-range": { type: "string", placeholder: "lo-hi", description: "host ports for containers (default 30000-32767)" },
    "port-claims-dir": { type: "string", placeholder: "dir", description: "where agents on this host claim host ports (default /run/enc-agent/host-ports)" },
    url: { type: "string", placeholder: "URL", description: "the control plane (default: the one joined)" },
    runc: { type: "string", placeholder: "path", description: "the runc binary (default: runc on PATH)" },
    "capacity-memory-mb": { type: "string", placeholder: "MiB", description: "memory this node offers, in each signed heartbeat (consensus validators check placements against it)" },
    "capacity-cpu-millis": { type: "string", placeholder: "m", description: "CPU this node offers in millicores, in each signed heartbeat (with --capacity-memory-mb)" },
  },
  async run({ log }, { flags }) {
    const runc = await checkRunc(flags.runc);
    if (!runc.ok) throw new AgentError(runc.reason?.includes("root") ? "not_root" : "no_runc", `cannot run containers: ${runc.reason}`);
    const range = flags["port-range"];
    const agent = new Agent({
      dataDir: flags["data-dir"],
      heartbeatS: num(flags["heartbeat-s"], "heartbeat-s", 0.2, 3600),
      usageS: num(flags["usage-s"], "usage-s", 1, 86_400),
      pollWaitS: num(flags["poll-wait-s"], "poll-wait-s", 0, 55),
      stopGraceS: num(flags["stop-grace-s"], "stop-grace-s", 0, 3600),
      backoffBaseS: num(flags["backoff-s"], "backoff-s", 0.05, 3600),
      backoffMaxS: num(flags["backoff-max-s"], "backoff-max-s", 0.05, 86_400),
      portRange: range ? parsePortRange(range) : undefined,
      portClaimsDir: flags["port-claims-dir"],
      url: flags.url,
      runcBinary: flags.runc,
      capacity: capacityOf(flags["capacity-memory-mb"], flags["capacity-cpu-millis"]),
      log,
    });
    await agent.start();
    await new Promise<void>((resolve) => {
      const onSignal = (sig: NodeJS.Signals) => {
        log.info("signal received; stopping", { signal: sig });
        process.off("SIGTERM", onSignal);
        process.off("SIGINT", onSignal);
        resolve();
      };
      process.on("SIGTERM", onSignal);
      process.on("SIGINT", onSignal);
    });
    await agent.stop();
    return 0;
  },
});
