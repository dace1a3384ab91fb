// Helpers shared by the resolver commands (resolve, registry, did, zk, cache): an unsigned client
// for the public look-ups, value checks done before any request, DID documents for the wallet's
// key, and rootzk proofs made with the wallet's seed. The prover and the Multikey encoding are
// the resolver's own pure modules, so the CLI proves exactly what the Worker verifies.
import { ApiClient } from "../../protocol/api-client.ts";
import { fromHex } from "../../protocol/bytes.ts";
import { signerFromSeed, type Signer } from "../../protocol/ed25519.ts";
import { isDid, isBpiName } from "../../protocol/rootzk/did.ts";
import { encodeEd25519Multikey } from "../../protocol/rootzk/multikey.ts";
import { prove, type ZkProof } from "../../protocol/rootzk/zk-schnorr.ts";
import { routes } from "../../protocol/routes.ts";
import type { Context } from "../lib/context.ts";
import { CLIError, usageError } from "../lib/errors.ts";
import { readWallet } from "../lib/wallet.ts";

const TIMEOUT_MS = 30_000;

/** A client without a signature, for the public routes: no wallet needed. */
export function publicApi(ctx: Context): ApiClient {
  return new ApiClient({
    url: ctx.url,
    fetch: (req) =>
      // redirect "manual": a dereferenced DID URL answers 303 to the service, which is the answer.
      fetch(req, { redirect: "manual", signal: AbortSignal.timeout(TIMEOUT_MS) }).catch((err: Error) => {
        throw new CLIError("unreachable", `cannot reach the ENC control plane at ${ctx.url} (${err.name}: ${err.message})`, 1, "Is `npm start` running? Set ENC_URL if it listens elsewhere.");
      }),
  });
}

export async function walletKey(ctx: Context): Promise<{ seed: Uint8Array; signer: Signer }> {
  const seed = fromHex(readWallet(ctx.walletPath()).seed);
  return { seed, signer: await signerFromSeed(seed) };
}

export function requireDid(value: string): string {
  if (!isDid(value)) throw usageError("bad_did", `${JSON.stringify(value)} is not a DID (did:<method>:<id>)`);
  return value;
}

export function requireBpiDid(value: string): string {
  if (!value.startsWith("did:bpi:") || !isBpiName(value.slice(8))) throw usageError("bad_did", `${JSON.stringify(value)} is not a did:bpi DID (did:bpi:<3-64 of a-z 0-9 ->)`);
  return value;
}

export function requireHost(value: string): string {
  if (!/^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/.test(value))
    throw usageError("bad_host", `${JSON.stringify(value)} is not a host name (lower-case DNS labels, no port or path)`);
  return value;
}

/** "api=https://a.example/v1,files=https://f.example/" → { api: …, files: … } */
export function parseServices(list: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of (list ?? "").split(",").filter((s) => s.trim() !== "")) {
    const eq = item.indexOf("=");
    const id = item.slice(0, eq).trim();
    if (eq < 1 || !/^[A-Za-z0-9._~-]{1,64}$/.test(id)) throw usageError("bad_service", `--service wants id=https://url pairs separated by commas, got ${JSON.stringify(item)}`);
    out[id] = item.slice(eq + 1).trim();
  }
  return out;
}

export type DidDoc = Record<string, unknown> & { id: string; verificationMethod?: Array<Record<string, unknown>>; authentication?: unknown[]; service?: Array<Record<string, unknown>> };

/** A DID document whose one authentication key (key-1) is the wallet's, with these services. */
export function documentFor(did: string, publicKey: Uint8Array, services: Record<string, string>): DidDoc {
  return {
    "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
    id: did,
    verificationMethod: [{ id: `${did}#key-1`, type: "Multikey", controller: did, publicKeyMultibase: encodeEd25519Multikey(publicKey) }],
    authentication: ["#key-1"],
    service: Object.entries(services).map(([id, serviceEndpoint]) => ({ id: `#${id}`, type: "LinkedDomains", serviceEndpoint })),
  };
}

/** The DID Resolution result; a deactivated DID (410) still comes back, with its last document. */
export async function resolveDid(ctx: Context, did: string, query = ""): Promise<{ didDocument: DidDoc; didDocumentMetadata: Record<string, unknown> }> {
  const res = await publicApi(ctx).raw("GET", `/1.0/identifiers/${encodeURIComponent(did)}${query}`);
  const body = (await res.json().catch(() => ({}))) as { didDocument?: DidDoc; didDocumentMetadata?: Record<string, unknown>; didResolutionMetadata?: { error?: string; errorMessage?: string } };
  if ((res.ok || res.status === 410) && body.didDocument) return { didDocument: body.didDocument, didDocumentMetadata: body.didDocumentMetadata ?? {} };
  const err = body.didResolutionMetadata;
  throw new CLIError(err?.error ?? "resolution_failed", `${did}: ${err?.error ?? `HTTP ${res.status}`} (${res.status})${err?.errorMessage ? `: ${err.errorMessage}` : ""}`);
}

/** The id of the document's verification method that holds this public key. */
export function kidFor(doc: DidDoc, publicKey: Uint8Array): string {
  const mb = encodeEd25519Multikey(publicKey);
  const m = (doc.verificationMethod ?? []).find((v) => v.publicKeyMultibase === mb);
  if (!m) throw new CLIError("not_a_key_of_did", `your wallet's key is not a verification method of ${doc.id}`, 1, "Pass --kid, or use the wallet whose key the DID lists.");
  const id = String(m.id);
  return id.startsWith("#") ? doc.id + id : id;
}

/** Gets a fresh challenge and proves knowledge of the wallet key for (did, kid). */
export async function proveWithWallet(ctx: Context, did: string, kid?: string, challenge?: string): Promise<ZkProof> {
  const { seed, signer } = await walletKey(ctx);
  const useKid = kid ?? kidFor((await resolveDid(ctx, did)).didDocument, signer.publicKey);
  const ch = challenge ?? (await publicApi(ctx).post<{ challenge: string }>(routes.rootzkChallenge(), {})).challenge;
  if (!/^[0-9a-f]{64}$/.test(ch)) throw usageError("bad_challenge", "--challenge must be 64 lowercase hex characters");
  return prove(seed, { did, kid: useKid, challenge: ch, now: Date.now() });
}

export const didPath = (did: string) => routes.did(did);
export const hostPath = (host: string) => routes.host(host);
