// Entry point of the `enc` CLI: picks the command, parses its arguments, runs it, and turns any
// error into a message and an exit code. process.exit is left to bin/enc.mjs. Only the table and
// the command model load up front; the selected command, the API client and the error report
// are imported when needed, so `enc --version` and `enc help` start fast.
import { select } from "../cli-kit/select.ts";
import { VERSION } from "../cli-kit/version.ts";
import { COMMANDS } from "./commands/index.ts";
import { encProgram } from "./lib/command.ts";
import { mainHelp } from "./lib/help.ts";
import { processIO, type IO } from "./lib/io.ts";
import { styleFor } from "./lib/style.ts";
import { outputFormat, type OutputFormat } from "./lib/output.ts";

const PROGRAM = encProgram(COMMANDS);

export async function main(argv: string[], io: IO = processIO()): Promise<number> {
  // Decided before parsing, so that even a usage error is reported as JSON when asked. Words
  // after `--` belong to the command being run (`enc deploy … -- tool --json`), not to enc.
  const own = argv.includes("--") ? argv.slice(0, argv.indexOf("--")) : argv;
  let format: OutputFormat = own.includes("--json") ? "json" : "table";
  let json = format === "json";
  try {
    format = outputFormat(own);
    json = format === "json" || format === "yaml";
    const style = styleFor(io.stdout, io.env);
    const action = await select(PROGRAM, argv, { style, main: () => mainHelp(COMMANDS, style) });
    if (action.kind === "version") return print(io, VERSION + "\n");
    if (action.kind === "help") return print(io, action.text);
    const { Context } = await import("./lib/context.ts");
    const code = await action.cmd.run(new Context(io, json, PROGRAM, format), action.input as Parameters<typeof action.cmd.run>[1]);
    return code ?? 0;
  } catch (err) {
    const { reportError } = await import("./lib/report.ts");
    return reportError(err, io, json);
  }
}

function print(io: IO, text: string): number {
  io.stdout.write(text);
  return 0;
}
