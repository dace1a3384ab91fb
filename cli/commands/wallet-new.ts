import { defineCommand } from "../lib/command.ts";
import { formatPairs } from "../lib/table.ts";
import { existsSync } from "node:fs";
import { createWallet, readWallet } from "../lib/wallet.ts";

export default defineCommand({
  description:
    "Writes {version, address, seed, created} to $ENC_WALLET, else $XDG_CONFIG_HOME/enc/wallet.json\n" +
    "(~/.config/enc/wallet.json), with mode 0600. The seed is your identity: keep the file private.",
  flags: {
    force: { type: "boolean", description: "replace an existing wallet (its key is lost)" },
  },
  async run(ctx, { flags }) {
    const file = ctx.walletPath();
    // An existing wallet is kept, not an error: `npm start` may have made it already, and a
    // second `wallet new` must never cost anyone their key.
    if (!flags.force && existsSync(file)) {
      const w = readWallet(file);
      if (ctx.json) return ctx.emit({ address: w.address, path: file, created: w.created, existing: true });
      ctx.out(`You already have a wallet; keeping it (pass --force to replace it, losing its key).\n`);
      ctx.out(formatPairs([["Address", ctx.style.bold(w.address)], ["File", file]], ctx.style));
      return;
    }
    const w = await createWallet(file, flags.force);
    if (ctx.json) return ctx.emit({ address: w.address, path: file, created: w.created });
    ctx.out(`${ctx.style.ok} Created a wallet.\n`);
    ctx.out(formatPairs([["Address", ctx.style.bold(w.address)], ["File", `${file} (mode 0600)`]], ctx.style));
    ctx.out(ctx.style.dim("Keep this file private: anyone holding it can act as this address."));
  },
});
