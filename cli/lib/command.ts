// The command model (citty-like): a command declares its positional args and flags once; parsing,
// validation and the --help text are derived from that declaration.
import type { Context } from "./context.ts";

export type FlagDef =
  | { type: "string"; description: string; short?: string; placeholder?: string; default?: string; multiple?: true }
  | { type: "boolean"; description: string; short?: string };

export interface ArgDef {
  description: string;
  required?: boolean;
}

export type FlagValues<F> = {
  [K in keyof F]: F[K] extends { type: "boolean" } ? boolean : F[K] extends { multiple: true } ? string[] : string | undefined;
};
export type ArgValues<A> = { [K in keyof A]: A[K] extends { required: true } ? string : string | undefined };

export interface CommandDef<F extends Record<string, FlagDef> = Record<string, FlagDef>, A extends Record<string, ArgDef> = Record<string, ArgDef>> {
  /** The words that select it, e.g. "roles grant". */
  name: string;
  summary: string;
  /** Longer help text, printed under the usage line. */
  description?: string;
  args?: A;
  flags?: F;
  /** Takes the words after `--` verbatim (e.g. a container's command); `rest` in run() holds them. */
  rest?: { name: string; description: string };
  examples?: string[];
  // Method syntax on purpose: the command table holds commands of different flag types.
  run(ctx: Context, input: { args: ArgValues<A>; flags: FlagValues<F>; rest: string[] }): Promise<number | void>;
}

export function defineCommand<const F extends Record<string, FlagDef>, const A extends Record<string, ArgDef>>(
  def: CommandDef<F, A>,
): CommandDef<F, A> {
  return def;
}

/** Flags every command accepts. */
export const GLOBAL_FLAGS = {
  json: { type: "boolean", description: "machine-readable JSON output (stable keys)" },
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
