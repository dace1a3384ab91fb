// enc-agent's command line through the shared command model (cli-kit/): parsing, value checks,
// help, version and exit codes, in-process.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseCommandLine } from "../../cli-kit/parse.ts";
import { labels, num } from "../../node-agent/cli-args.ts";
import { agentProgram, defineAgentCommand } from "../../node-agent/command-context.ts";
import { AGENT_COMMANDS } from "../../node-agent/command-table.ts";
import { main } from "../../node-agent/main.ts";

const PROGRAM = agentProgram(AGENT_COMMANDS);
const VERSION = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version as string;

const probe = defineAgentCommand({
  args: { pos: { description: "a positional" } },
  flags: { label: { type: "string", multiple: true, description: "k=v" }, force: { type: "boolean", description: "a switch" } },
  async run() {},
});

async function agent(argv: string[]): Promise<{ code: number; out: string }> {
  let out = "";
  const code = await main(argv, (s) => (out += s));
  return { code, out };
}

describe("command line", () => {
  it("parses repeated labels and refuses unknown flags", () => {
    const p = parseCommandLine(PROGRAM, "probe", probe, ["--label", "a=1", "--label=b=2", "--force", "pos"]);
    expect(labels(p.flags.label as string[])).toEqual({ a: "1", b: "2" });
    expect(p.flags.force).toBe(true);
    expect(p.args.pos).toBe("pos");
    expect(() => parseCommandLine(PROGRAM, "probe", probe, ["--nope"])).toThrow(/unknown flag --nope/);
  });

  it("checks values: numbers in range, key=value labels", () => {
    expect(num("2.5", "heartbeat-s", 0.2, 3600)).toBe(2.5);
    expect(() => num("0", "heartbeat-s", 0.2, 3600)).toThrow(/--heartbeat-s must be a number from 0.2 to 3600, got 0/);
    expect(() => labels(["rack"])).toThrow(/--label must look like key=value/);
  });

  it("gives every data-dir command its default and takes --log-level everywhere", async () => {
    for (const name of ["join", "run", "replay", "status"]) {
      const entry = AGENT_COMMANDS.find((c) => c.name === name)!;
      const argv = name === "replay" ? ["blake3:" + "0".repeat(64), "--log-level", "debug"] : ["--log-level", "debug"];
      const p = parseCommandLine(PROGRAM, name, (await entry.load()).default, argv);
      expect(p.flags["data-dir"]).toBe("/var/lib/enc-agent");
      expect(p.flags["log-level"]).toBe("debug");
    }
  });
});

describe("enc-agent main()", () => {
  it("prints the package version", async () => {
    expect(await agent(["--version"])).toEqual({ code: 0, out: VERSION + "\n" });
  });

  it("lists the commands; bare enc-agent is a usage error, help is not", async () => {
    const help = await agent(["help"]);
    expect(help.code).toBe(0);
    for (const c of ["join", "run", "replay", "status"]) expect(help.out).toMatch(new RegExp(`^  ${c}\\s+\\S`, "m"));
    expect((await agent([])).code).toBe(2);
    expect((await agent(["--help"])).code).toBe(0);
  });

  it("a command's help comes from its declaration", async () => {
    const join = await agent(["join", "--help"]);
    expect(join.code).toBe(0);
    expect(join.out).toContain("Usage: enc-agent join [flags]");
    expect(join.out).toMatch(/--label <k=v>…\s+a node label/);
    expect(join.out).toMatch(/--log-level <level>/);
    expect((await agent(["help", "replay"])).out).toContain("Usage: enc-agent replay <receipt-hash> [flags]");
  });

  it("usage mistakes exit 2", async () => {
    expect((await agent(["frobnicate"])).code).toBe(2);
    expect((await agent(["status", "--nope"])).code).toBe(2);
    expect((await agent(["replay"])).code).toBe(2);
    expect((await agent(["replay", "not-a-hash", "--data-dir", "/nonexistent"])).code).toBe(2);
    expect((await agent(["join", "--cluster", "c", "--token", "t", "--data-dir", "/nonexistent"])).code).toBe(2);
  });
});
