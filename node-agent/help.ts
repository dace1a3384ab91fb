// enc-agent's front page; a command's own help comes from its declaration (cli-kit/help.ts).
import type { CommandEntry } from "../cli-kit/command.ts";
import { commandList } from "../cli-kit/help.ts";
import { DEFAULT_DATA_DIR } from "./command-context.ts";

export function agentHelp(commands: readonly CommandEntry<unknown>[]): string {
  return `enc-agent: the ENC node agent (runs caged containers under runc; needs root)

Usage: enc-agent <command> [arguments] [flags]

Commands:
${commandList(commands)}

Typical use:
  enc-agent join --url URL --cluster NAME --token TOKEN [--data-dir DIR]
  enc-agent run [--data-dir DIR]

DIR defaults to ${DEFAULT_DATA_DIR}. Exit codes: 0 success, 1 failure, 2 usage error (replay: 3 on mismatch).
Run \`enc-agent <command> --help\` for a command's arguments and flags. \`enc-agent --version\` prints the version.
`;
}
