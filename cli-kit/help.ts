// Help texts, derived from the declarations so they never drift from the parser.
import type { CommandDef, CommandEntry, FlagDef, Program } from "./command.ts";

/** The only styling help needs (a terminal gets bold headings). */
export interface HelpStyle {
  bold(s: string): string;
}

export function columns(rows: Array<[string, string]>, indent = "  "): string {
  const w = Math.max(...rows.map(([a]) => a.length));
  return rows.map(([a, b]) => `${indent}${a.padEnd(w)}  ${b}`.trimEnd()).join("\n");
}

function flagLabel(name: string, def: FlagDef): string {
  const long = `--${name}${def.type === "string" ? ` <${def.placeholder ?? "value"}>${def.multiple ? "…" : ""}` : ""}`;
  return def.short ? `-${def.short}, ${long}` : `    ${long}`;
}

/** Every command of the table with its summary: what `<program> help` lists. */
export function commandList(commands: readonly CommandEntry<unknown>[]): string {
  return columns(commands.map((c) => [c.name, c.summary]));
}

export function commandHelp<Ctx>(program: Program<Ctx>, entry: CommandEntry<Ctx>, cmd: CommandDef<Ctx>, s: HelpStyle): string {
  const args = Object.entries(cmd.args ?? {});
  const rest = cmd.rest ? [cmd.rest.positional ? `${cmd.rest.name}…` : `[-- ${cmd.rest.name}…]`] : [];
  const usage = [program.name, entry.name, ...args.map(([n, a]) => (a.required ? `<${n}>` : `[${n}]`)), "[flags]", ...rest].join(" ");
  const parts = [`${s.bold("Usage:")} ${usage}`, "", entry.summary + "."];
  if (cmd.description) parts.push("", cmd.description);
  const argRows = args.map(([n, a]): [string, string] => [n, a.description]);
  if (cmd.rest) argRows.push([`${cmd.rest.positional ? "" : "-- "}${cmd.rest.name}…`, cmd.rest.description]);
  if (argRows.length) parts.push("", s.bold("Arguments:"), columns(argRows));
  const flags = Object.entries({ ...cmd.flags, ...program.globalFlags } as Record<string, FlagDef>);
  parts.push("", s.bold("Flags:"), columns(flags.map(([n, f]) => [flagLabel(n, f), f.description])));
  if (cmd.examples?.length) parts.push("", s.bold("Examples:"), cmd.examples.map((e) => `  ${e}`).join("\n"));
  return parts.join("\n") + "\n";
}

/** `enc wallet --help`: the subcommands of one group. */
export function groupHelp<Ctx>(program: Program<Ctx>, group: string, s: HelpStyle): string {
  const members = program.commands.filter((c) => c.name === group || c.name.startsWith(group + " "));
  return [
    `${s.bold("Usage:")} ${program.name} ${group} <subcommand> [arguments] [flags]`,
    "",
    s.bold("Subcommands:"),
    commandList(members),
    "",
    `Run \`${program.name} ${group} <subcommand> --help\` for its arguments and flags.`,
    "",
  ].join("\n");
}
