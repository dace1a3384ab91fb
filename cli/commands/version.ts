import { VERSION } from "../../cli-kit/version.ts";
import { defineCommand } from "../lib/command.ts";

export default defineCommand({
  description: "The same as `enc --version`; with --json, {\"version\": …}.",
  async run(ctx) {
    if (ctx.json) return ctx.emit({ version: VERSION });
    ctx.out(VERSION);
  },
});
