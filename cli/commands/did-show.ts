import { defineCommand } from "../lib/command.ts";
import { formatPairs, formatTable } from "../lib/table.ts";
import { intFlag } from "../lib/values.ts";
import { didPath, publicApi, requireDid, resolveDid } from "./registry-client.ts";

export default defineCommand({
  args: { did: { description: "the DID", required: true } },
  flags: {
    version: { type: "string", placeholder: "N", description: "a past version (did:bpi)" },
    history: { type: "boolean", description: "list every version of a did:bpi DID" },
  },
  async run(ctx, { args, flags }) {
    const did = requireDid(args.did);
    if (flags.history) {
      const { versions } = await publicApi(ctx).get<{ versions: Array<{ versionId: string; updated: string; deactivated: boolean; actor: string }> }>(`${didPath(did)}/versions?limit=1000`);
      if (ctx.json) return ctx.emit({ did, versions });
      ctx.out(formatTable(["VERSION", "UPDATED", "STATE", "SIGNED BY"], versions.map((v) => [v.versionId, v.updated, v.deactivated ? "deactivated" : "active", v.actor]), ctx.style));
      return;
    }
    const version = intFlag(flags.version, "version");
    const r = await resolveDid(ctx, did, version ? `?versionId=${version}` : "");
    if (ctx.json) return ctx.emit(r);
    const doc = r.didDocument;
    const m = r.didDocumentMetadata;
    const keys = (doc.verificationMethod ?? []).map((v) => `${v.id} ${ctx.style.dim(String(v.publicKeyMultibase ?? v.type))}`);
    const services = (doc.service ?? []).map((s) => `${s.id} → ${s.serviceEndpoint}`);
    const pairs: Array<[string, string]> = [["DID", ctx.style.bold(doc.id)]];
    if (m.versionId) pairs.push(["Version", `${m.versionId}${m.nextVersionId ? ctx.style.dim(` (newer: ${m.nextVersionId})`) : ""}`]);
    if (m.created) pairs.push(["Created", String(m.created)], ["Updated", String(m.updated)]);
    if (m.deactivated) pairs.push(["State", ctx.style.red("deactivated")]);
    pairs.push(["Keys", keys.join("\n" + " ".repeat(10)) || "none"], ["Services", services.join("\n" + " ".repeat(10)) || "none"]);
    ctx.out(formatPairs(pairs, ctx.style));
  },
});
