import path from "node:path";
import { defineCommand } from "../lib/command.ts";
import { usageError } from "../lib/errors.ts";
import { normalizeUrl } from "../lib/url.ts";
import { readContexts, writeContexts } from "../lib/wallet.ts";

export default defineCommand({
  description:
    "A context names a control plane (URL), the wallet that signs for you there and a default cluster, saved in contexts.json in the CLI's config dir ($XDG_CONFIG_HOME/enc or ~/.config/enc).\n" +
    "Precedence: --cluster, ENC_URL, ENC_WALLET and ENC_CLUSTER still win over the current context. Adding a context that exists replaces it.",
  args: { name: { description: "the context's name (letters, digits, . _ -)", required: true } },
  flags: {
    url: { type: "string", placeholder: "URL", description: "the control plane (https:// assumed without a scheme; http:// for localhost)" },
    wallet: { type: "string", placeholder: "FILE", description: "the wallet file to sign with (default: the default wallet)" },
    cluster: { type: "string", short: "c", placeholder: "name", description: "the default cluster in this context" },
    use: { type: "boolean", description: "make it the current context" },
  },
  examples: ["enc context add prod --url enc.example.com --wallet ~/.config/enc/prod.json --cluster web --use"],
  async run(ctx, { args, flags }) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(args.name)) throw usageError("bad_context_name", `${JSON.stringify(args.name)} is not a context name (letters, digits, . _ -)`);
    if (!flags.url) throw usageError("missing_url", "`enc context add` needs --url", "e.g. --url https://enc.example.com");
    const url = normalizeUrl(flags.url, "--url");
    const f = readContexts(ctx.env);
    f.contexts[args.name] = { url, ...(flags.wallet ? { wallet: path.resolve(flags.wallet) } : {}), ...(flags.cluster ? { cluster: flags.cluster } : {}) };
    if (flags.use) f.current = args.name;
    const file = writeContexts(ctx.env, f);
    if (ctx.json) return ctx.emit({ context: args.name, ...f.contexts[args.name], current: f.current === args.name, file });
    ctx.out(`${ctx.style.ok} Context ${ctx.style.bold(args.name)}: ${url}${flags.use ? " (now current)" : `; switch with \`enc context use ${args.name}\``}`);
  },
});
