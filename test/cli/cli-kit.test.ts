// The shared command model stays a neutral module both CLIs may import: it imports nothing from
// the project but the package's version (npm dependencies the package declares are fine), and
// selecting a command loads that command alone.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { commandsFor, type CommandEntry, type Program } from "../../cli-kit/command.ts";
import { select } from "../../cli-kit/select.ts";

const KIT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../cli-kit");

describe("cli-kit", () => {
  it("imports only node: built-ins, declared dependencies and package.json", () => {
    const deps = Object.keys((JSON.parse(readFileSync(path.join(KIT, "../package.json"), "utf8")) as { dependencies: Record<string, string> }).dependencies);
    for (const file of readdirSync(KIT)) {
      const source = readFileSync(path.join(KIT, file), "utf8");
      for (const [, spec] of source.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)) {
        expect(spec.startsWith("node:") || spec.startsWith("./") || spec === "../package.json" || deps.includes(spec), `${file} imports ${spec}`).toBe(true);
      }
    }
  });

  it("loads only the selected command and types its input", async () => {
    const loaded: string[] = [];
    const define = commandsFor<{ said: string[] }>();
    const entry = (name: string): CommandEntry<{ said: string[] }> => ({
      name,
      summary: `the ${name} command`,
      load: async () => {
        loaded.push(name);
        return {
          default: define({
            args: { who: { description: "someone", required: true } },
            flags: { loud: { type: "boolean", description: "shout" }, times: { type: "string", default: "1", description: "how often" } },
            async run(ctx, { args, flags }) {
              ctx.said.push(`${flags.loud ? args.who.toUpperCase() : args.who} x${flags.times}`);
            },
          }),
        };
      },
    });
    const program: Program<{ said: string[] }> = {
      name: "toy",
      commands: [entry("greet"), entry("greet twice"), entry("wave")],
      globalFlags: { help: { type: "boolean", short: "h", description: "show this help" } },
      usageError: (code, message) => Object.assign(new Error(message), { code }),
    };
    const pages = { style: { bold: (s: string) => s }, main: () => "main page\n" };

    expect(await select(program, [], pages)).toEqual({ kind: "help", text: "main page\n", bare: true });
    expect(await select(program, ["--version"], pages)).toEqual({ kind: "version" });
    expect(loaded).toEqual([]);

    const a = await select(program, ["greet", "twice", "ann", "--loud"], pages);
    expect(loaded).toEqual(["greet twice"]);
    if (a.kind !== "run") throw new Error(a.kind);
    const ctx = { said: [] as string[] };
    await a.cmd.run(ctx, a.input as never);
    expect(ctx.said).toEqual(["ANN x1"]);

    const help = await select(program, ["wave", "--help"], pages);
    expect(help).toMatchObject({ kind: "help", bare: false });
    expect(help.kind === "help" && help.text).toContain("Usage: toy wave <who> [flags]");
    expect(loaded).toEqual(["greet twice", "wave"]);

    await expect(select(program, ["greet", "--times"], pages)).rejects.toMatchObject({ code: "bad_flag", message: "the flag --times needs a value" });
    await expect(select(program, ["nope"], pages)).rejects.toMatchObject({ code: "unknown_command" });
  });
});
