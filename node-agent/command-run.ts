// `enc-agent run`: serve until SIGTERM or SIGINT, then stop cleanly (containers keep running).
import { AgentError } from "./agent-error.ts";
import { num, parseArgs, str } from "./cli-args.ts";
import { DEFAULT_DATA_DIR } from "./command-join.ts";
import { Agent } from "./daemon/agent.ts";
import { checkRunc } from "./daemon/host-capabilities.ts";
import { parsePortRange } from "./daemon/host-ports.ts";
import type { Logger } from "./daemon/logger.ts";

export async function runCommand(argv: string[], log: Logger): Promise<number> {
  const p = parseArgs(argv, {
    "data-dir": {}, "heartbeat-s": {}, "usage-s": {}, "poll-wait-s": {}, "stop-grace-s": {}, "backoff-s": {}, "backoff-max-s": {},
    "port-range": {}, url: {}, "log-level": {}, "runc": {},
  });
  const runcBinary = str(p, "runc");
  const runc = await checkRunc(runcBinary);
  if (!runc.ok) throw new AgentError(runc.reason?.includes("root") ? "not_root" : "no_runc", `cannot run containers: ${runc.reason}`);
  const range = str(p, "port-range");
  const agent = new Agent({
    dataDir: str(p, "data-dir") ?? DEFAULT_DATA_DIR,
    heartbeatS: num(p, "heartbeat-s", 0.2, 3600),
    usageS: num(p, "usage-s", 1, 86_400),
    pollWaitS: num(p, "poll-wait-s", 0, 55),
    stopGraceS: num(p, "stop-grace-s", 0, 3600),
    backoffBaseS: num(p, "backoff-s", 0.05, 3600),
    backoffMaxS: num(p, "backoff-max-s", 0.05, 86_400),
    portRange: range ? parsePortRange(range) : undefined,
    url: str(p, "url"),
    runcBinary,
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
}
