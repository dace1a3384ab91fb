// Entry point of enc-agent: picks the command and turns errors into a message and an exit code
// (1 failure, 2 usage). process.exit is left to bin/enc-agent.mjs.
import { AgentError } from "./agent-error.ts";
import { joinCommand } from "./command-join.ts";
import { replayCommand } from "./command-replay.ts";
import { runCommand } from "./command-run.ts";
import { statusCommand } from "./command-status.ts";
import { createLogger, isLogLevel } from "./daemon/logger.ts";
import { HELP } from "./help.ts";

function logLevel(argv: string[]): string {
  const i = argv.findIndex((a) => a === "--log-level" || a.startsWith("--log-level="));
  if (i < 0) return process.env.ENC_AGENT_LOG ?? "info";
  return argv[i]!.includes("=") ? argv[i]!.split("=")[1]! : (argv[i + 1] ?? "info");
}

export async function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const [cmd, ...rest] = argv;
  const level = logLevel(rest);
  const log = createLogger(isLogLevel(level) ? level : "info");
  try {
    switch (cmd) {
      case "join":
        return await joinCommand(rest, log, out);
      case "run":
        return await runCommand(rest, log);
      case "replay":
        return await replayCommand(rest, log, out);
      case "status":
        return await statusCommand(rest, out);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        out(HELP);
        return cmd === undefined ? 2 : 0;
      default:
        throw new AgentError("usage", `unknown command ${cmd}`);
    }
  } catch (err) {
    if (err instanceof AgentError) {
      process.stderr.write(`enc-agent: ${err.message} [${err.code}]\n`);
      if (err.code === "usage") process.stderr.write("Run `enc-agent help` for usage.\n");
      return err.code === "usage" ? 2 : 1;
    }
    process.stderr.write(`enc-agent: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}
