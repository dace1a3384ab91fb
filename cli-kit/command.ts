// The command model shared by `enc` and `enc-agent`. It follows citty's shape (a command declares
// its args and flags once; parsing, validation and --help come from that declaration; the table
// maps names to lazy imports) but is our own small module rather than citty itself, because both
// CLIs need what citty's runMain does not give: strict flags (an unknown flag is an error), usage
// errors with stable codes and exit code 2, --json error reports, and a main() that returns its
// exit code so it can run in-process. Pure: imports nothing from the project.

export type FlagDef =
  | { type: "string"; description: string; short?: string; placeholder?: string; default?: string; multiple?: true }
  | { type: "boolean"; description: string; short?: string };

export interface ArgDef {
  description: string;
  required?: boolean;
}

export type FlagValues<F> = {
  [K in keyof F]: F[K] extends { type: "boolean" }
    ? boolean
    : F[K] extends { multiple: true }
      ? string[]
      : F[K] extends { default: string }
        ? string
        : string | undefined;
};
export type ArgValues<A> = { [K in keyof A]: A[K] extends { required: true } ? string : string | undefined };

export interface RunInput<F, A> {
  args: ArgValues<A>;
  flags: FlagValues<F>;
  /** The words after `--`, for a command that declares `rest`. */
  rest: string[];
}

/** What a command module exports as default; its name and summary live in the table. */
export interface CommandDef<Ctx, F extends Record<string, FlagDef> = Record<string, FlagDef>, A extends Record<string, ArgDef> = Record<string, ArgDef>> {
  /** Longer help text, printed under the summary. */
  description?: string;
  args?: A;
  flags?: F;
  /** Takes the words after `--` verbatim (e.g. a container's command); `rest` in run() holds them. */
  rest?: { name: string; description: string; /** also the words after the arguments, without `--` */ positional?: boolean };
  examples?: string[];
  // Method syntax on purpose: the table holds commands of different flag types.
  run(ctx: Ctx, input: RunInput<F, A>): Promise<number | void>;
}

/** One row of a program's command table: enough to list and select it without loading it. */
export interface CommandEntry<Ctx> {
  /** The words that select it, e.g. "roles grant". */
  name: string;
  summary: string;
  load(): Promise<{ default: CommandDef<Ctx> }>;
}

/** A CLI: its name, its table and the flags every command accepts. */
export interface Program<Ctx> {
  name: string;
  commands: readonly CommandEntry<Ctx>[];
  globalFlags: Record<string, FlagDef>;
  /** How this program reports a mistake in the command line (exit code 2). */
  usageError(code: string, message: string, hint?: string): Error;
}

/** `defineCommand` bound to a program's run context: `const defineCommand = commandsFor<Context>()`. */
export function commandsFor<Ctx>() {
  return <const F extends Record<string, FlagDef>, const A extends Record<string, ArgDef>>(def: CommandDef<Ctx, F, A>): CommandDef<Ctx, F, A> => def;
}
