import { parseArgs } from "node:util";
import type { CommandDef, FlagDef } from "./command.ts";
import { GLOBAL_FLAGS } from "./command.ts";
import { usageError } from "./errors.ts";

export interface Parsed {
  args: Record<string, string | undefined>;
  flags: Record<string, string | boolean | string[] | undefined>;
  /** The words after `--`, for a command that declares `rest`. */
  rest: string[];
}

const helpHint = (cmd: CommandDef) => `Run \`enc ${cmd.name} --help\` for its usage.`;

/** Parses argv (after the command words) against the command's declaration. */
export function parseCommandLine(cmd: CommandDef, argv: string[]): Parsed {
  const defs: Record<string, FlagDef> = { ...GLOBAL_FLAGS, ...cmd.flags };
  const options: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }> = {};
  for (const [name, def] of Object.entries(defs)) {
    options[name] = { type: def.type, ...(def.short ? { short: def.short } : {}), ...(def.type === "string" && def.multiple ? { multiple: true } : {}) };
  }
  let values: Record<string, string | boolean | string[] | undefined>;
  let positionals: string[];
  let rest: string[] = [];
  try {
    const r = parseArgs({ args: argv, options, allowPositionals: true, strict: true, tokens: true });
    values = r.values as typeof values;
    positionals = r.positionals;
    const end = r.tokens.find((t) => t.kind === "option-terminator");
    if (cmd.rest && end) {
      rest = argv.slice(end.index + 1);
      positionals = positionals.slice(0, positionals.length - rest.length);
    }
  } catch (err) {
    throw usageError("bad_flag", flagMessage(err as Error & { code?: string }), helpHint(cmd));
  }
  const flags: Parsed["flags"] = {};
  for (const [name, def] of Object.entries(defs)) {
    const v = values[name];
    if (def.type === "boolean") flags[name] = v === true;
    else if (def.multiple) flags[name] = (v as string[] | undefined) ?? [];
    else flags[name] = (v as string | undefined) ?? def.default;
  }
  if (flags.help) return { args: {}, flags, rest };
  const argDefs = Object.entries(cmd.args ?? {});
  const args: Parsed["args"] = {};
  for (const [i, [name, def]] of argDefs.entries()) {
    args[name] = positionals[i];
    if (def.required && positionals[i] === undefined) {
      throw usageError("missing_argument", `\`enc ${cmd.name}\` needs the <${name}> argument (${def.description})`, helpHint(cmd));
    }
  }
  if (positionals.length > argDefs.length) {
    throw usageError("unexpected_argument", `unexpected argument ${JSON.stringify(positionals[argDefs.length])} for \`enc ${cmd.name}\``, helpHint(cmd));
  }
  return { args, flags, rest };
}

function flagMessage(err: Error & { code?: string }): string {
  // Node names the flag as '--cluster <value>' or '-c, --cluster <value>': keep the long form.
  const m = /'(?:-\w, )?(--?[^' ]+)/.exec(err.message);
  const flag = m?.[1] ?? "";
  switch (err.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown flag ${flag}`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return /argument missing/.test(err.message) ? `the flag ${flag} needs a value` : `the flag ${flag} takes no value`;
    default:
      return err.message;
  }
}
