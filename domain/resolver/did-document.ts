// W3C DID Core document schema (zod), with Ed25519 Multikey verification methods, and helpers.
// Unknown properties are kept (DID Core §4.1: documents may carry extensions). Verification
// methods of type "Multikey" must hold an Ed25519 key ("z6Mk…") or an X25519 key ("z6LS…", for
// keyAgreement only); other types are accepted with
// id/type/controller but are never used as authentication keys here.
import { z } from "zod";
import { encodeAddress } from "../../protocol/address.ts";
import { isDid, parseDidUrl } from "../../protocol/rootzk/did.ts";
import { ResolveError } from "../../protocol/rootzk/errors.ts";
import { decodeEd25519Multikey, decodeMultikey } from "../../protocol/rootzk/multikey.ts";

export const DID_CONTEXT_V1 = "https://www.w3.org/ns/did/v1";
export const DID_CONTEXT_V1_1 = "https://www.w3.org/ns/did/v1.1";
export const MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1";
const DID_CONTEXTS = [DID_CONTEXT_V1, DID_CONTEXT_V1_1, "https://w3id.org/did/v1"];
const MAX_ITEMS = 64;

function isDidUrl(s: string): boolean {
  try {
    parseDidUrl(s);
    return true;
  } catch {
    return false;
  }
}

const didString = z.string().refine(isDid, "must be a DID (did:<method>:<id>)");
/** An absolute DID URL with a fragment ("did:bpi:x#key-1") or a relative one ("#key-1"). */
const idRef = z
  .string()
  .max(4096)
  .refine((s) => (s.startsWith("#") ? /^#[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]+$/.test(s) : isDidUrl(s)), "must be a DID URL or #fragment");
const absoluteUrl = z.string().max(4096).refine((s) => {
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
}, "must be an absolute URL");

export const MultikeyMethodSchema = z.looseObject({
  id: idRef,
  type: z.literal("Multikey"),
  controller: didString,
  publicKeyMultibase: z.string().refine((s) => {
    try {
      decodeMultikey(s);
      return true;
    } catch {
      return false;
    }
  }, "must be 'z' + base58btc(0xed01 || 32-byte Ed25519 key), or 0xec01 for X25519"),
});
const OtherMethodSchema = z.looseObject({
  id: idRef,
  type: z.string().min(1).refine((t) => t !== "Multikey", "Multikey methods must hold an Ed25519 or X25519 key"),
  controller: didString,
});
export const VerificationMethodSchema = z.union([MultikeyMethodSchema, OtherMethodSchema]);
const relationship = z.array(z.union([idRef, VerificationMethodSchema])).max(MAX_ITEMS).optional();

export const ServiceSchema = z.looseObject({
  id: z.string().min(1).max(4096),
  type: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  serviceEndpoint: absoluteUrl,
});

const contextSchema = z
  .union([z.string(), z.array(z.union([z.string(), z.record(z.string(), z.unknown())])).min(1)])
  .refine((c) => DID_CONTEXTS.includes((Array.isArray(c) ? c[0] : c) as string), `the first @context must be ${DID_CONTEXT_V1}`);

export const RELATIONSHIPS = ["authentication", "assertionMethod", "keyAgreement", "capabilityInvocation", "capabilityDelegation"] as const;

export const DidDocumentSchema = z
  .looseObject({
    "@context": contextSchema.optional(),
    id: didString,
    controller: z.union([didString, z.array(didString).max(MAX_ITEMS)]).optional(),
    alsoKnownAs: z.array(z.string()).max(MAX_ITEMS).optional(),
    verificationMethod: z.array(VerificationMethodSchema).max(MAX_ITEMS).optional(),
    authentication: relationship,
    assertionMethod: relationship,
    keyAgreement: relationship,
    capabilityInvocation: relationship,
    capabilityDelegation: relationship,
    service: z.array(ServiceSchema).max(MAX_ITEMS).optional(),
  })
  .superRefine((doc, ctx) => {
    const abs = (id: string) => (id.startsWith("#") ? doc.id + id : id);
    const seen = new Set<string>();
    const methods = [...(doc.verificationMethod ?? [])];
    for (const r of RELATIONSHIPS) for (const e of doc[r] ?? []) if (typeof e !== "string") methods.push(e);
    for (const m of methods) {
      const id = abs(m.id);
      if (seen.has(id)) ctx.addIssue({ code: "custom", message: `duplicate verification method id ${id}` });
      seen.add(id);
    }
    for (const r of RELATIONSHIPS)
      for (const e of doc[r] ?? [])
        if (typeof e === "string" && abs(e).startsWith(`${doc.id}#`) && !seen.has(abs(e)))
          ctx.addIssue({ code: "custom", path: [r], message: `${r} refers to a missing verification method ${e}` });
    const sids = new Set<string>();
    for (const s of doc.service ?? []) {
      const id = abs(s.id);
      if (sids.has(id)) ctx.addIssue({ code: "custom", path: ["service"], message: `duplicate service id ${id}` });
      sids.add(id);
    }
  });

export type DidDocument = z.infer<typeof DidDocumentSchema>;
export type VerificationMethod = z.infer<typeof VerificationMethodSchema>;
export type Service = z.infer<typeof ServiceSchema>;

export interface AuthenticationKey {
  id: string;
  publicKey: Uint8Array;
  address: string;
}

/** Validates `value` as a DID document; throws ResolveError invalidDidDocument with the first issue. */
export function parseDidDocument(value: unknown): DidDocument {
  const r = DidDocumentSchema.safeParse(value);
  if (!r.success) {
    const i = r.error.issues[0];
    const where = i.path.length ? i.path.join(".") : "document";
    throw new ResolveError("invalidDidDocument", `${where}: ${i.message}`, where);
  }
  return r.data;
}

export function absoluteId(doc: Pick<DidDocument, "id">, id: string): string {
  return id.startsWith("#") ? doc.id + id : id;
}

export function findVerificationMethod(doc: DidDocument, id: string): VerificationMethod | undefined {
  const want = absoluteId(doc, id);
  for (const m of doc.verificationMethod ?? []) if (absoluteId(doc, m.id) === want) return m;
  for (const r of RELATIONSHIPS) for (const e of doc[r] ?? []) if (typeof e !== "string" && absoluteId(doc, e.id) === want) return e;
  return undefined;
}

/** The Ed25519 Multikey keys of the `authentication` relationship that belong to this document. */
export function authenticationKeys(doc: DidDocument): AuthenticationKey[] {
  const out: AuthenticationKey[] = [];
  for (const e of doc.authentication ?? []) {
    const m = typeof e === "string" ? findVerificationMethod(doc, e) : e;
    if (!m || m.type !== "Multikey" || typeof m.publicKeyMultibase !== "string") continue;
    if (decodeMultikey(m.publicKeyMultibase).type !== "Ed25519") continue;
    const id = absoluteId(doc, m.id);
    if (!id.startsWith(`${doc.id}#`)) continue;
    const publicKey = decodeEd25519Multikey(m.publicKeyMultibase);
    out.push({ id, publicKey, address: encodeAddress(publicKey) });
  }
  return out;
}

/** A service by id: "api", "#api" or "<doc.id>#api" all name the same service. */
export function findService(doc: DidDocument, id: string): Service | undefined {
  const want = id.startsWith("did:") ? id : `${doc.id}#${id.startsWith("#") ? id.slice(1) : id}`;
  return (doc.service ?? []).find((s) => absoluteId(doc, s.id) === want);
}
