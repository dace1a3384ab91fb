import { defineCommand } from "../lib/command.ts";
import { didPath, requireBpiDid } from "./registry-client.ts";

export default defineCommand({
  args: { did: { description: "the DID", required: true } },
  async run(ctx, { args }) {
    const did = requireBpiDid(args.did);
    const api = await ctx.client();
    const r = await api.delete<{ didDocumentMetadata: { versionId: string } }>(didPath(did));
    if (ctx.json) return ctx.emit(r);
    ctx.out(`${ctx.style.ok} Deactivated ${ctx.style.bold(did)} (version ${r.didDocumentMetadata.versionId}); it now resolves with 410 and cannot change again.`);
  },
});
