// From argv to what to do: print the version, print a help text, or run one command with its
// parsed input. Only the selected command's module is imported.
import type { CommandDef, CommandEntry, Program } from "./command.ts";
import { commandHelp, groupHelp, type HelpStyle } from "./help.ts";
import { parseCommandLine, type Parsed } from "./parse.ts";
import { closest } from "./suggest.ts";

export type Action<Ctx> =
  | { kind: "version" }
  /** `bare`: no words at all, which one program may treat as a usage mistake. */
  | { kind: "help"; text: string; bare: boolean }
  | { kind: "run"; name: string; cmd: CommandDef<Ctx>; input: Parsed };

export interface HelpPages {
  style: HelpStyle;
  /** The program's own front page: its command list plus whatever it adds. */
  main(): string;
}

const isHelp = (a: string) => a === "--help" || a === "-h";

export async function select<Ctx>(program: Program<Ctx>, argv: string[], help: HelpPages): Promise<Action<Ctx>> {
  if (argv[0] === "--version") return { kind: "version" };
  // Words after `--` belong to the command being run, not to the program.
  const own = argv.includes("--") ? argv.slice(0, argv.indexOf("--")) : argv;
  const words = leadingWords(argv);
  const helpText = (text: string): Action<Ctx> => ({ kind: "help", text, bare: argv.length === 0 });
  if (words.length === 0 || words[0] === "help") {
    if (words.length > 1) {
      if (isGroup(program, words.slice(1))) return helpText(groupHelp(program, words[1], help.style));
      const { entry } = find(program, words.slice(1));
      return helpText(commandHelp(program, entry, (await entry.load()).default, help.style));
    }
    if (words.length === 0 && argv.length > 0 && !isHelp(argv[0])) {
      throw program.usageError("unknown_flag", `${argv[0]} must come after a command`, `Run \`${program.name} help\` to see the commands.`);
    }
    return helpText(help.main());
  }
  if (own.some(isHelp) && isGroup(program, words)) return helpText(groupHelp(program, words[0], help.style));
  const { entry, used } = find(program, words);
  const cmd = (await entry.load()).default;
  const input = parseCommandLine(program, entry.name, cmd, argv.slice(used));
  if (input.flags.help) return helpText(commandHelp(program, entry, cmd, help.style));
  return { kind: "run", name: entry.name, cmd, input };
}

/** `wallet` alone names a group of subcommands, not a command. */
function isGroup(program: Program<unknown>, words: string[]): boolean {
  const { commands } = program;
  return words.length === 1 && !commands.some((c) => c.name === words[0]) && commands.some((c) => c.name.startsWith(words[0] + " "));
}

/** The words before the first flag: candidates for the command name. */
function leadingWords(argv: string[]): string[] {
  const end = argv.findIndex((a) => a.startsWith("-"));
  return end < 0 ? argv : argv.slice(0, end);
}

/** Longest command name that prefixes the words: "roles grant" before "roles". */
function find<Ctx>(program: Program<Ctx>, words: string[]): { entry: CommandEntry<Ctx>; used: number } {
  const { commands, name: prog } = program;
  for (let n = Math.min(2, words.length); n > 0; n--) {
    const name = words.slice(0, n).join(" ");
    const entry = commands.find((c) => c.name === name);
    if (entry) return { entry, used: n };
  }
  const group = commands.filter((c) => c.name.startsWith(words[0] + " ")).map((c) => c.name.split(" ")[1]);
  if (group.length) {
    const near = words.length > 1 ? closest(words[1], group) : undefined;
    const what = words.length > 1 ? `unknown command \`${prog} ${words[0]} ${words[1]}\`` : `\`${prog} ${words[0]}\` needs a subcommand`;
    const mean = near ? `; did you mean \`${prog} ${words[0]} ${near}\`?` : `; choose one of: ${group.join(", ")}`;
    throw program.usageError(words.length > 1 ? "unknown_command" : "missing_subcommand", what + mean, `Run \`${prog} ${words[0]} <subcommand> --help\` for its usage.`);
  }
  const tops = [...new Set(commands.map((c) => c.name.split(" ")[0]!))];
  const near = closest(words[0], tops);
  throw program.usageError("unknown_command", `unknown command \`${words[0]}\`${near ? `; did you mean \`${prog} ${near}\`?` : ""}`, `Run \`${prog} help\` to see the commands.`);
}
