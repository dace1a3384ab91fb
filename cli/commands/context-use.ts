import { defineCommand } from "../lib/command.ts";
import { CLIError } from "../lib/errors.ts";
import { readContexts, writeContexts } from "../lib/wallet.ts";

export default defineCommand({
  description: "Later commands use its URL, wallet and default cluster (ENC_URL, ENC_WALLET, ENC_CLUSTER and --cluster still win). `enc context use --none` goes back to the environment and defaults.",
  args: { name: { description: "a context from `enc context list`" } },
  flags: { none: { type: "boolean", description: "use no context" } },
  async run(ctx, { args, flags }) {
    const f = readContexts(ctx.env);
    if (flags.none) {
      delete f.current;
      writeContexts(ctx.env, f);
      if (ctx.json) return ctx.emit({ current: null });
      return ctx.out(`${ctx.style.ok} No current context.`);
    }
    if (!args.name) throw new CLIError("missing_argument", "`enc context use` needs a context name (or --none)", 2);
    if (!f.contexts[args.name]) {
      const known = Object.keys(f.contexts);
      throw new CLIError("no_context", `no context ${args.name}`, 1, known.length ? `Known: ${known.join(", ")}.` : "Add one with `enc context add <name> --url <url>`.");
    }
    f.current = args.name;
    const file = writeContexts(ctx.env, f);
    if (ctx.json) return ctx.emit({ current: args.name, ...f.contexts[args.name], file });
    ctx.out(`${ctx.style.ok} Current context is now ${ctx.style.bold(args.name)} (${f.contexts[args.name]!.url})`);
  },
});
