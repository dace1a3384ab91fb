// Shared fixtures for the resolver tests (keys from fixed seeds, a did:bpi document).
import { ed25519 } from "@noble/curves/ed25519.js";
import type { DidDocument } from "../../../domain/resolver/did-document.ts";
import { encodeEd25519Multikey } from "../../../protocol/rootzk/multikey.ts";

export const seed1 = new Uint8Array(32).fill(1);
export const seed2 = new Uint8Array(32).fill(2);
export const pub1 = ed25519.getPublicKey(seed1);
export const pub2 = ed25519.getPublicKey(seed2);

export function bpiDoc(name = "alice"): DidDocument {
  const id = `did:bpi:${name}`;
  return {
    "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
    id,
    verificationMethod: [
      { id: `${id}#key-1`, type: "Multikey", controller: id, publicKeyMultibase: encodeEd25519Multikey(pub1) },
      { id: "#key-2", type: "Multikey", controller: id, publicKeyMultibase: encodeEd25519Multikey(pub2) },
    ],
    authentication: [`${id}#key-1`, "#key-2"],
    assertionMethod: ["#key-1"],
    service: [
      { id: "#api", type: "LinkedDomains", serviceEndpoint: "https://api.example.com/v1" },
      { id: `${id}#files`, type: ["FileService"], serviceEndpoint: "https://files.example.com/" },
    ],
  };
}

