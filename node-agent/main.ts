// Entry point of enc-agent: picks the command and turns errors into a message and an exit code
// (1 failure, 2 usage). process.exit is left to bin/enc-agent.mjs. The same command model as
// `enc` (cli-kit/); only the selected command's module, and the daemon code it needs, is loaded.
import { select } from "../cli-kit/select.ts";
import { VERSION } from "../cli-kit/version.ts";
import { AgentError } from "./agent-error.ts";
import { agentProgram, AgentUsageError } from "./command-context.ts";
import { AGENT_COMMANDS } from "./command-table.ts";
import { createLogger, isLogLevel } from "./daemon/logger.ts";
import { agentHelp } from "./help.ts";

const PROGRAM = agentProgram(AGENT_COMMANDS);
const plain = { bold: (s: string) => s };

export async function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  try {
    const action = await select(PROGRAM, argv, { style: plain, main: () => agentHelp(AGENT_COMMANDS) });
    if (action.kind === "version") {
      out(VERSION + "\n");
      return 0;
    }
    if (action.kind === "help") {
      out(action.text);
      // Bare `enc-agent` is a usage mistake (a service unit missing its command), not a request.
      return action.bare ? 2 : 0;
    }
    const level = (action.input.flags["log-level"] as string | undefined) ?? process.env.ENC_AGENT_LOG ?? "info";
    const log = createLogger(isLogLevel(level) ? level : "info");
    return (await action.cmd.run({ log, out }, action.input as Parameters<typeof action.cmd.run>[1])) ?? 0;
  } catch (err) {
    if (err instanceof AgentError) {
      process.stderr.write(`enc-agent: ${err.message} [${err.code}]\n`);
      if (err.code === "usage") process.stderr.write(`${(err instanceof AgentUsageError && err.hint) || "Run `enc-agent help` for usage."}\n`);
      return err.code === "usage" ? 2 : 1;
    }
    process.stderr.write(`enc-agent: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}
