// Parses a command's words against its declaration (node:util parseArgs, strict): typed flag
// values with defaults, named positional args, and the words after `--` for commands that take them.
import { parseArgs } from "node:util";
import type { CommandDef, FlagDef, Program } from "./command.ts";
import { closest } from "./suggest.ts";

/** Untyped here; a command's run() sees it through its own declaration (RunInput). */
export interface Parsed {
  args: Record<string, string | undefined>;
  flags: Record<string, string | boolean | string[] | undefined>;
  rest: string[];
}

/** Parses argv (the words after the command's name). */
export function parseCommandLine<Ctx>(program: Program<Ctx>, name: string, cmd: CommandDef<Ctx>, argv: string[]): Parsed {
  const fail = (code: string, message: string) => program.usageError(code, message, `Run \`${program.name} ${name} --help\` for its usage.`);
  const defs: Record<string, FlagDef> = { ...program.globalFlags, ...cmd.flags };
  const options: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }> = {};
  for (const [flag, def] of Object.entries(defs)) {
    options[flag] = { type: def.type, ...(def.short ? { short: def.short } : {}), ...(def.type === "string" && def.multiple ? { multiple: true } : {}) };
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
    throw fail("bad_flag", flagMessage(err as Error & { code?: string }, Object.keys(defs)));
  }
  const flags: Parsed["flags"] = {};
  for (const [flag, def] of Object.entries(defs)) {
    const v = values[flag];
    if (def.type === "boolean") flags[flag] = v === true;
    else if (def.multiple) flags[flag] = (v as string[] | undefined) ?? [];
    else flags[flag] = (v as string | undefined) ?? def.default;
  }
  if (flags.help) return { args: {}, flags, rest };
  const argDefs = Object.entries(cmd.args ?? {});
  const args: Parsed["args"] = {};
  for (const [i, [arg, def]] of argDefs.entries()) {
    args[arg] = positionals[i];
    if (def.required && positionals[i] === undefined) {
      throw fail("missing_argument", `\`${program.name} ${name}\` needs the <${arg}> argument (${def.description})`);
    }
  }
  // A rest that takes plain words too (`enc set env web A=1 B=2`): what follows the arguments.
  if (cmd.rest?.positional && positionals.length > argDefs.length) rest = [...positionals.splice(argDefs.length), ...rest];
  if (positionals.length > argDefs.length) {
    throw fail("unexpected_argument", `unexpected argument ${JSON.stringify(positionals[argDefs.length])} for \`${program.name} ${name}\``);
  }
  return { args, flags, rest };
}

function flagMessage(err: Error & { code?: string }, known: string[]): string {
  // Node names the flag as '--cluster <value>' or '-c, --cluster <value>': keep the long form.
  const m = /'(?:-\w, )?(--?[^' ]+)/.exec(err.message);
  const flag = m?.[1] ?? "";
  switch (err.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION": {
      const near = flag.startsWith("--") ? closest(flag.slice(2).split("=")[0]!, known) : undefined;
      return `unknown flag ${flag}${near ? `; did you mean --${near}?` : ""}`;
    }
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return /argument missing/.test(err.message) ? `the flag ${flag} needs a value` : `the flag ${flag} takes no value`;
    default:
      return err.message;
  }
}
