// Help texts, derived from the command declarations so they never drift from the parser.
import { GLOBAL_FLAGS, type CommandDef, type FlagDef } from "./command.ts";
import { DEFAULT_URL } from "./context.ts";
import type { Style } from "./style.ts";

const columns = (rows: Array<[string, string]>, indent = "  ") => {
  const w = Math.max(...rows.map(([a]) => a.length));
  return rows.map(([a, b]) => `${indent}${a.padEnd(w)}  ${b}`.trimEnd()).join("\n");
};

function flagLabel(name: string, def: FlagDef): string {
  const long = `--${name}${def.type === "string" ? ` <${def.placeholder ?? "value"}>${def.multiple ? "…" : ""}` : ""}`;
  return def.short ? `-${def.short}, ${long}` : `    ${long}`;
}

export function commandHelp(cmd: CommandDef, s: Style): string {
  const args = Object.entries(cmd.args ?? {});
  const rest = cmd.rest ? [`[-- ${cmd.rest.name}…]`] : [];
  const usage = ["enc", cmd.name, ...args.map(([n, a]) => (a.required ? `<${n}>` : `[${n}]`)), "[flags]", ...rest].join(" ");
  const parts = [`${s.bold("Usage:")} ${usage}`, "", cmd.summary + "."];
  if (cmd.description) parts.push("", cmd.description);
  const argRows = args.map(([n, a]): [string, string] => [n, a.description]);
  if (cmd.rest) argRows.push([`-- ${cmd.rest.name}…`, cmd.rest.description]);
  if (argRows.length) parts.push("", s.bold("Arguments:"), columns(argRows));
  const flags = Object.entries({ ...cmd.flags, ...GLOBAL_FLAGS } as Record<string, FlagDef>);
  parts.push("", s.bold("Flags:"), columns(flags.map(([n, f]) => [flagLabel(n, f), f.description])));
  if (cmd.examples?.length) parts.push("", s.bold("Examples:"), cmd.examples.map((e) => `  ${e}`).join("\n"));
  return parts.join("\n") + "\n";
}

/** `enc wallet --help`: the subcommands of one group. */
export function groupHelp(group: string, commands: readonly CommandDef[], s: Style): string {
  const members = commands.filter((c) => c.name === group || c.name.startsWith(group + " "));
  return [
    `${s.bold("Usage:")} enc ${group} <subcommand> [arguments] [flags]`,
    "",
    s.bold("Subcommands:"),
    columns(members.map((c) => [c.name, c.summary])),
    "",
    `Run \`enc ${group} <subcommand> --help\` for its arguments and flags.`,
    "",
  ].join("\n");
}

export function mainHelp(commands: readonly CommandDef[], s: Style): string {
  return [
    `${s.bold("enc")}: the command line of the ENC control plane`,
    "",
    `${s.bold("Usage:")} enc <command> [arguments] [flags]`,
    "",
    s.bold("Commands:"),
    columns(commands.map((c) => [c.name, c.summary])),
    "",
    s.bold("Environment:"),
    columns([
      ["ENC_URL", `control plane URL (default ${DEFAULT_URL})`],
      ["ENC_WALLET", "wallet file (default $XDG_CONFIG_HOME/enc/wallet.json or ~/.config/enc/wallet.json)"],
      ["ENC_CLUSTER", "default cluster, before the one saved by `enc cluster use`"],
      ["NO_COLOR", "no colors even on a terminal"],
      ["ENC_DEBUG=1", "stack traces on errors"],
    ]),
    "",
    "Every command takes --json for machine-readable output. Exit codes: 0 success, 1 failure, 2 usage error.",
    "Run `enc <command> --help` for a command's arguments and flags.",
    "",
  ].join("\n");
}
