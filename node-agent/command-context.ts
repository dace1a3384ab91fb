// enc-agent's side of the shared command model (cli-kit/): what its commands run with, the flags
// every command takes, and how a usage mistake is reported (an AgentError "usage", exit code 2).
import type { CommandEntry, FlagDef, Program } from "../cli-kit/command.ts";
import { commandsFor } from "../cli-kit/command.ts";
import { AgentError } from "./agent-error.ts";
import type { Logger } from "./daemon/logger.ts";

export interface AgentContext {
  log: Logger;
  out(s: string): void;
}

export type AgentCommand = CommandEntry<AgentContext>;

export const defineAgentCommand = commandsFor<AgentContext>();

export const DEFAULT_DATA_DIR = "/var/lib/enc-agent";

export const DATA_DIR_FLAG = {
  "data-dir": { type: "string", placeholder: "DIR", default: DEFAULT_DATA_DIR, description: `the agent's data dir (default ${DEFAULT_DATA_DIR})` },
} as const satisfies Record<string, FlagDef>;

/** Flags every command accepts. */
export const AGENT_GLOBAL_FLAGS = {
  "log-level": { type: "string", placeholder: "level", description: "debug, info, warn or error (default: $ENC_AGENT_LOG, then info)" },
  help: { type: "boolean", short: "h", description: "show this help" },
} as const satisfies Record<string, FlagDef>;

/** A command-line mistake, with the hint that names the help to read. */
export class AgentUsageError extends AgentError {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super("usage", message);
  }
}

export function agentProgram(commands: readonly AgentCommand[]): Program<AgentContext> {
  return { name: "enc-agent", commands, globalFlags: AGENT_GLOBAL_FLAGS, usageError: (_code, message, hint) => new AgentUsageError(message, hint) };
}
