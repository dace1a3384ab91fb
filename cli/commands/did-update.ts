import { defineCommand } from "../lib/command.ts";
import { usageError } from "../lib/errors.ts";
import { readDocument } from "./did-create.ts";
import { didPath, parseServices, publicApi, requireBpiDid, type DidDoc } from "./registry-client.ts";

export default defineCommand({
  description: "--file replaces the document; --service adds or replaces services and --remove-service drops them.",
  args: { did: { description: "the DID", required: true } },
  flags: {
    file: { type: "string", placeholder: "doc.json", description: "the new document" },
    service: { type: "string", placeholder: "id=url,…", description: "add or replace these services" },
    "remove-service": { type: "string", placeholder: "id,…", description: "remove these services" },
  },
  examples: ["enc did update did:bpi:alice --service api=https://new.example.com/v1", "enc did update did:bpi:alice --file alice.json"],
  async run(ctx, { args, flags }) {
    const did = requireBpiDid(args.did);
    let doc: DidDoc;
    if (flags.file) doc = readDocument(flags.file, did);
    else {
      const set = parseServices(flags.service);
      const drop = new Set((flags["remove-service"] ?? "").split(",").map((s) => s.trim()).filter(Boolean));
      if (Object.keys(set).length === 0 && drop.size === 0) throw usageError("nothing_to_do", "give --file, --service or --remove-service");
      doc = (await publicApi(ctx).get<{ didDocument: DidDoc }>(didPath(did))).didDocument;
      const idOf = (s: Record<string, unknown>) => String(s.id).replace(/^.*#/, "");
      const kept = (doc.service ?? []).filter((s) => !drop.has(idOf(s)) && !(idOf(s) in set));
      doc = { ...doc, service: [...kept, ...Object.entries(set).map(([id, serviceEndpoint]) => ({ id: `#${id}`, type: "LinkedDomains", serviceEndpoint }))] };
    }
    const api = await ctx.client();
    const r = await api.put<{ didDocumentMetadata: { versionId: string; updated: string } }>(didPath(did), doc);
    if (ctx.json) return ctx.emit(r);
    ctx.out(`${ctx.style.ok} Updated ${ctx.style.bold(did)}: now version ${r.didDocumentMetadata.versionId} (${r.didDocumentMetadata.updated}).`);
  },
});
