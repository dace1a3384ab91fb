// did:key for Ed25519 (W3C CCG did:key Method v0.7, "Document Creation Algorithm", Multikey form).
//
//   did:key:<mb>   with mb = "z" + base58btc(0xed01 || 32-byte Ed25519 public key) ("z6Mk…")
//   → { "@context": [did/v1, multikey/v1], id: did,
//       verificationMethod: [{ id: did#mb, type: "Multikey", controller: did, publicKeyMultibase: mb }],
//       authentication, assertionMethod, capabilityInvocation, capabilityDelegation: [did#mb] }
// With enableEncryptionKeyDerivation (default false, as in the spec) a keyAgreement method holding
// the birationally equivalent X25519 key ("z6LS…", multicodec 0xec01) is added.
import { ed25519 } from "@noble/curves/ed25519.js";
import { parseDid } from "../../protocol/rootzk/did.ts";
import { DID_CONTEXT_V1, MULTIKEY_CONTEXT, type DidDocument } from "./did-document.ts";
import { ResolveError } from "../../protocol/rootzk/errors.ts";
import { decodeEd25519Multikey, encodeEd25519Multikey, encodeX25519Multikey } from "../../protocol/rootzk/multikey.ts";

export interface DidKeyOptions {
  enableEncryptionKeyDerivation?: boolean;
}

/** The Ed25519 public key named by a did:key DID; throws ResolveError (invalidDid, invalidPublicKey*). */
export function didKeyPublicKey(did: string): Uint8Array {
  const p = parseDid(did);
  if (p.method !== "key") throw new ResolveError("invalidDid", "expected a did:key DID", "did");
  const mb = p.methodSpecificId;
  if (!mb.startsWith("z") || mb.includes(":")) throw new ResolveError("invalidDid", "did:key is did:key:z<base58btc multikey>", "did");
  return decodeEd25519Multikey(mb, "did");
}

export function didKeyFromPublicKey(publicKey: Uint8Array): string {
  return `did:key:${encodeEd25519Multikey(publicKey)}`;
}

export function resolveDidKey(did: string, opts: DidKeyOptions = {}): DidDocument {
  const publicKey = didKeyPublicKey(did);
  const mb = encodeEd25519Multikey(publicKey);
  const canonical = `did:key:${mb}`;
  if (canonical !== did) throw new ResolveError("invalidDid", "did:key is not in its canonical form", "did");
  const vmId = `${canonical}#${mb}`;
  const doc: DidDocument = {
    "@context": [DID_CONTEXT_V1, MULTIKEY_CONTEXT],
    id: canonical,
    verificationMethod: [{ id: vmId, type: "Multikey", controller: canonical, publicKeyMultibase: mb }],
    authentication: [vmId],
    assertionMethod: [vmId],
    capabilityInvocation: [vmId],
    capabilityDelegation: [vmId],
  };
  if (opts.enableEncryptionKeyDerivation) {
    const xmb = encodeX25519Multikey(ed25519.utils.toMontgomery(publicKey));
    const xid = `${canonical}#${xmb}`;
    doc.verificationMethod!.push({ id: xid, type: "Multikey", controller: canonical, publicKeyMultibase: xmb });
    doc.keyAgreement = [xid];
  }
  return doc;
}
