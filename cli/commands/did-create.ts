import { readFileSync } from "node:fs";
import { ApiError } from "../../protocol/api-client.ts";
import { defineCommand } from "../lib/command.ts";
import { CLIError, usageError } from "../lib/errors.ts";
import { didPath, documentFor, parseServices, publicApi, requireBpiDid, walletKey, type DidDoc } from "./registry-client.ts";

/** A DID document from a file (JSON); its id must be the DID. Shared with `did update`. */
export function readDocument(file: string, did: string): DidDoc {
  let doc: DidDoc;
  try {
    doc = JSON.parse(readFileSync(file, "utf8")) as DidDoc;
  } catch (err) {
    throw usageError("bad_file", `cannot read a JSON DID document from ${file}: ${(err as Error).message}`);
  }
  if (doc?.id !== did) throw usageError("bad_file", `the document's id is ${JSON.stringify(doc?.id)}, not ${did}`);
  return doc;
}

export default defineCommand({
  description:
    "Without --file the document has one Ed25519 Multikey (#key-1, your wallet's key) and the\n" +
    "--service entries. With --file your document is sent as is; your key must be among its\n" +
    "authentication keys.",
  args: { did: { description: "did:bpi:<name>, name 3-64 of a-z 0-9 -", required: true } },
  flags: {
    service: { type: "string", placeholder: "id=url,…", description: "services, e.g. api=https://api.example.com/v1" },
    file: { type: "string", placeholder: "doc.json", description: "send this DID document instead" },
  },
  examples: ["enc did create did:bpi:alice --service api=https://api.example.com/v1"],
  async run(ctx, { args, flags }) {
    const did = requireBpiDid(args.did);
    const { signer } = await walletKey(ctx);
    const doc = flags.file ? readDocument(flags.file, did) : documentFor(did, signer.publicKey, parseServices(flags.service));
    // PUT also updates: refuse here when the DID exists, so `create` never overwrites.
    const exists = await publicApi(ctx).raw("GET", didPath(did));
    if (exists.status === 200) throw new CLIError("did_exists", `${did} already exists`, 1, "Change it with `enc did update`.");
    const api = await ctx.client();
    const res = await api.raw("PUT", didPath(did), doc);
    const data = (await res.json()) as { didDocumentMetadata: { versionId: string; created: string } };
    if (!res.ok) throw new ApiError(res.status, data as ApiError["problem"]);
    if (ctx.json) return ctx.emit(data);
    ctx.out(`${ctx.style.ok} Created ${ctx.style.bold(did)} (version ${data.didDocumentMetadata.versionId}, controlled by ${signer.address}).`);
  },
});
