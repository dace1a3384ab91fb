import { defineCommand } from "../lib/command.ts";
import { formatPairs } from "../lib/table.ts";
import { createWallet } from "../lib/wallet.ts";

export default defineCommand({
  name: "wallet new",
  summary: "Create a wallet: the Ed25519 key that signs your requests",
  description:
    "Writes {version, address, seed, created} to $ENC_WALLET, else $XDG_CONFIG_HOME/enc/wallet.json\n" +
    "(~/.config/enc/wallet.json), with mode 0600. The seed is your identity: keep the file private.",
  flags: {
    force: { type: "boolean", description: "replace an existing wallet (its key is lost)" },
  },
  async run(ctx, { flags }) {
    const file = ctx.walletPath();
    const w = await createWallet(file, flags.force);
    if (ctx.json) return ctx.emit({ address: w.address, path: file, created: w.created });
    ctx.out(`${ctx.style.ok} Created a wallet.\n`);
    ctx.out(formatPairs([["Address", ctx.style.bold(w.address)], ["File", `${file} (mode 0600)`]], ctx.style));
    ctx.out(ctx.style.dim("Keep this file private: anyone holding it can act as this address."));
  },
});
