// Shared by the resolver, registry and DID route tests: wallets that keep their seed (for ZK
// proofs), DID documents for them, and plain unsigned requests to the public look-ups.
import { ApiClient } from "../../protocol/api-client.ts";
import { generateSeed, signerFromSeed, type Signer } from "../../protocol/ed25519.ts";
import { encodeEd25519Multikey } from "../../protocol/rootzk/multikey.ts";
import { BASE, uniq, workerFetch } from "./helpers.ts";

export interface KeyedWallet {
  seed: Uint8Array;
  signer: Signer;
  api: ApiClient;
}

export async function keyedWallet(seed = generateSeed()): Promise<KeyedWallet> {
  const signer = await signerFromSeed(seed);
  return { seed, signer, api: new ApiClient({ url: BASE, signer, fetch: workerFetch }) };
}

/** An unsigned client for the public routes. */
export const anon = new ApiClient({ url: BASE, fetch: workerFetch });

export const uniqHost = () => `${uniq("h")}.example.com`;
export const uniqDid = () => `did:bpi:${uniq("d")}`;

/** A DID document whose authentication keys are the given wallets' keys (key-1, key-2, …). */
export function didDocument(did: string, keys: Signer[], services: Record<string, string> = { api: "https://api.example.com/v1" }) {
  return {
    "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
    id: did,
    verificationMethod: keys.map((k, i) => ({ id: `${did}#key-${i + 1}`, type: "Multikey", controller: did, publicKeyMultibase: encodeEd25519Multikey(k.publicKey) })),
    authentication: keys.map((_, i) => `#key-${i + 1}`),
    service: Object.entries(services).map(([id, serviceEndpoint]) => ({ id: `#${id}`, type: "LinkedDomains", serviceEndpoint })),
  };
}

/** GET without a signature; returns status, headers and the parsed body. */
export async function get(path: string, headers: Record<string, string> = {}) {
  const res = await workerFetch(new Request(BASE + path, { headers, redirect: "manual" }));
  const text = await res.text();
  let body: any = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  return { status: res.status, headers: res.headers, body };
}

export async function post(path: string, payload: unknown, headers: Record<string, string> = {}) {
  const res = await workerFetch(new Request(BASE + path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(payload) }));
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

export const resolvePath = (name: string, extra = "") => `/v1/resolve?name=${encodeURIComponent(name)}${extra}`;

/** A fresh rootzk challenge from the real route. */
export const challenge = async (body: object = {}) => (await post("/v1/resolve/rootzk/challenge", body)).body.challenge as string;

/** A registered did:bpi DID whose only key (#key-1) is a fresh wallet's. */
export async function bpiProver(): Promise<{ w: KeyedWallet; did: string; kid: string }> {
  const w = await keyedWallet();
  const did = uniqDid();
  await w.api.put(`/v1/dids/${did}`, didDocument(did, [w.signer]));
  return { w, did, kid: `${did}#key-1` };
}
