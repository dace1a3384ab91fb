// Entry point of the `enc` CLI: picks the command, parses its arguments, runs it, and turns any
// error into a message and an exit code. process.exit is left to bin/enc.mjs.
import { COMMANDS } from "./commands/index.ts";
import type { CommandDef } from "./lib/command.ts";
import { Context } from "./lib/context.ts";
import { usageError } from "./lib/errors.ts";
import { commandHelp, groupHelp, mainHelp } from "./lib/help.ts";
import { processIO, type IO } from "./lib/io.ts";
import { parseCommandLine } from "./lib/parse.ts";
import { reportError } from "./lib/report.ts";
import { styleFor } from "./lib/style.ts";

export async function main(argv: string[], io: IO = processIO()): Promise<number> {
  // Decided before parsing, so that even a usage error is reported as JSON when asked. Words
  // after `--` belong to the command being run (`enc deploy … -- tool --json`), not to enc.
  const own = argv.includes("--") ? argv.slice(0, argv.indexOf("--")) : argv;
  const json = own.includes("--json");
  try {
    const style = styleFor(io.stdout, io.env);
    const words = leadingWords(argv);
    const wantsHelp = own.some(isHelp);
    if (words.length === 0 || words[0] === "help") {
      if (words.length > 1) return print(io, isGroup(words.slice(1)) ? groupHelp(words[1], COMMANDS, style) : commandHelp(find(words.slice(1)).cmd, style));
      if (words.length === 0 && argv.length > 0 && !isHelp(argv[0])) {
        throw usageError("unknown_flag", `${argv[0]} must come after a command`, "Run `enc help` to see the commands.");
      }
      return print(io, mainHelp(COMMANDS, style));
    }
    if (wantsHelp && isGroup(words)) return print(io, groupHelp(words[0], COMMANDS, style));
    const { cmd, used } = find(words);
    const parsed = parseCommandLine(cmd, argv.slice(used));
    if (parsed.flags.help) return print(io, commandHelp(cmd, style));
    const ctx = new Context(io, json);
    const code = await cmd.run(ctx, parsed as Parameters<CommandDef["run"]>[1]);
    return code ?? 0;
  } catch (err) {
    return reportError(err, io, json);
  }
}

const isHelp = (a: string) => a === "--help" || a === "-h";

function print(io: IO, text: string): number {
  io.stdout.write(text);
  return 0;
}

/** `wallet` alone names a group of subcommands, not a command. */
function isGroup(words: string[]): boolean {
  return words.length === 1 && !COMMANDS.some((c) => c.name === words[0]) && COMMANDS.some((c) => c.name.startsWith(words[0] + " "));
}

/** The words before the first flag: candidates for the command name. */
function leadingWords(argv: string[]): string[] {
  const end = argv.findIndex((a) => a.startsWith("-"));
  return end < 0 ? argv : argv.slice(0, end);
}

/** Longest command name that prefixes the words: "roles grant" before "roles". */
function find(words: string[]): { cmd: CommandDef; used: number } {
  for (let n = Math.min(2, words.length); n > 0; n--) {
    const name = words.slice(0, n).join(" ");
    const cmd = COMMANDS.find((c) => c.name === name);
    if (cmd) return { cmd, used: n };
  }
  const group = COMMANDS.filter((c) => c.name.startsWith(words[0] + " ")).map((c) => c.name.split(" ")[1]);
  if (group.length) {
    const what = words.length > 1 ? `unknown command \`enc ${words[0]} ${words[1]}\`` : `\`enc ${words[0]}\` needs a subcommand`;
    throw usageError(words.length > 1 ? "unknown_command" : "missing_subcommand", `${what}; choose one of: ${group.join(", ")}`, `Run \`enc ${words[0]} <subcommand> --help\` for its usage.`);
  }
  throw usageError("unknown_command", `unknown command \`${words[0]}\``, "Run `enc help` to see the commands.");
}
