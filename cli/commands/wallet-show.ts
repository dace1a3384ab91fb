import { defineCommand } from "../lib/command.ts";
import { formatPairs } from "../lib/table.ts";
import { loadSigner, readWallet } from "../lib/wallet.ts";

export default defineCommand({
  async run(ctx) {
    const file = ctx.walletPath();
    const w = readWallet(file);
    await loadSigner(file); // refuses a file whose address and key disagree
    if (ctx.json) return ctx.emit({ address: w.address, path: file, created: w.created });
    ctx.out(formatPairs([["Address", ctx.style.bold(w.address)], ["File", file], ["Created", w.created]], ctx.style));
  },
});
