// enc's side of the shared command model (cli-kit/): commands run with a Context, every command
// takes --json and --help, and a usage mistake is a CLIError with exit code 2.
import type { CommandDef as KitCommandDef, CommandEntry, FlagDef, Program } from "../../cli-kit/command.ts";
import { commandsFor } from "../../cli-kit/command.ts";
import type { Context } from "./context.ts";
import { usageError } from "./errors.ts";

export type { ArgDef, FlagDef } from "../../cli-kit/command.ts";
export type CommandDef = KitCommandDef<Context>;
export type Command = CommandEntry<Context>;

export const defineCommand = commandsFor<Context>();

/** Flags every command accepts. */
export const GLOBAL_FLAGS = {
  json: { type: "boolean", description: "machine-readable JSON output (stable keys); the same as -o json" },
  output: { type: "string", short: "o", placeholder: "FORMAT", description: "table (default), wide (more columns), json or yaml" },
  help: { type: "boolean", short: "h", description: "show this help" },
} as const satisfies Record<string, FlagDef>;

/** Shared by every command that talks to one cluster. */
export const CLUSTER_FLAG = {
  cluster: {
    type: "string",
    short: "c",
    placeholder: "name",
    description: "the cluster (default: $ENC_CLUSTER, then the one saved by `enc cluster use`)",
  },
} as const satisfies Record<string, FlagDef>;

export function encProgram(commands: readonly Command[]): Program<Context> {
  return { name: "enc", commands, globalFlags: GLOBAL_FLAGS, usageError };
}
