// enc's front page; a command's and a group's help come from cli-kit/help.ts.
import type { CommandEntry } from "../../cli-kit/command.ts";
import { columns, commandList } from "../../cli-kit/help.ts";
import { DEFAULT_URL } from "./defaults.ts";
import type { Style } from "./style.ts";

export function mainHelp(commands: readonly CommandEntry<unknown>[], s: Style): string {
  return [
    `${s.bold("enc")}: the command line of the ENC control plane`,
    "",
    `${s.bold("Usage:")} enc <command> [arguments] [flags]`,
    "",
    s.bold("Commands:"),
    commandList(commands),
    "",
    s.bold("Environment:"),
    columns([
      ["ENC_URL", `control plane URL (default: the current context's, then ${DEFAULT_URL}); https:// assumed without a scheme, http:// for localhost`],
      ["ENC_WALLET", "wallet file (default: the current context's, then $XDG_CONFIG_HOME/enc/wallet.json or ~/.config/enc/wallet.json)"],
      ["ENC_CLUSTER", "default cluster, before the current context's and the one saved by `enc cluster use`"],
      ["ENC_CONTEXT", "a context (`enc context add`) for this command, instead of the current one"],
      ["NO_COLOR", "no colors even on a terminal"],
      ["ENC_DEBUG=1", "stack traces on errors"],
    ]),
    "",
    "Every command takes --json for machine-readable output. Exit codes: 0 success, 1 failure, 2 usage error.",
    "Run `enc <command> --help` for a command's arguments and flags. `enc --version` prints the version.",
    "",
  ].join("\n");
}
