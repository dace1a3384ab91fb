import { completionScript, SHELLS, type Shell } from "../../cli-kit/completion.ts";
import { defineCommand } from "../lib/command.ts";
import { usageError } from "../lib/errors.ts";

export default defineCommand({
  description: "Generated from the command table, so every command and flag is in it. Load it with `source <(enc completion bash)` (or zsh) in your shell's rc file; for fish, `enc completion fish > ~/.config/fish/completions/enc.fish`.",
  args: { shell: { description: "bash, zsh or fish", required: true } },
  examples: ["source <(enc completion bash)", "enc completion fish > ~/.config/fish/completions/enc.fish"],
  async run(ctx, { args }) {
    if (!(SHELLS as readonly string[]).includes(args.shell)) throw usageError("bad_shell", `no completion for ${JSON.stringify(args.shell)}; choose one of: ${SHELLS.join(", ")}`);
    if (!ctx.program) throw new Error("enc completion needs the program's command table");
    ctx.io.stdout.write(await completionScript(ctx.program, args.shell as Shell));
  },
});
