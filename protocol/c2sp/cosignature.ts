// C2SP tlog-cosignature, the Ed25519 `cosignature/v1` kind (PROTOCOL.md §7): what a witness signs
// to say "as of this time, the largest consistent tree I saw for this origin has this root".
// Pure and runtime-neutral (workerd, Node, the CLI): @noble hashes and curves, no node: imports.
import { ed25519 } from "@noble/curves/ed25519.js";
import { bytesEqual, concatBytes, toBase64, toHex, utf8 } from "../bytes.ts";
import { isValidKeyName, keyId, parseNote, parseVkey, signatureLine, type Vkey } from "./note.ts";

/** The signature type byte of an Ed25519 cosignature/v1 key (0x01 is a plain note signer). */
export const COSIGNATURE_V1_ALG = 0x04;

export interface WitnessKey {
  name: string;
  /** 4 bytes. */
  keyId: Uint8Array;
  /** 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
  vkey: string;
}

export interface Cosignature {
  witness: WitnessKey;
  /** Unix seconds the witness put in the cosignature. */
  timestamp: number;
}

/** SHA-256(name || 0x0A || 0x04 || public key)[:4]. */
export function cosignatureKeyId(name: string, publicKey: Uint8Array): Uint8Array {
  return keyId(name, COSIGNATURE_V1_ALG, publicKey);
}

/** `<name>+<key id hex>+<base64(0x04 || public key)>`. */
export function witnessVkey(name: string, publicKey: Uint8Array): string {
  if (!isValidKeyName(name)) throw new Error(`invalid witness name ${JSON.stringify(name)}`);
  if (publicKey.length !== 32) throw new Error("a witness key is a 32-byte Ed25519 public key");
  return `${name}+${toHex(cosignatureKeyId(name, publicKey))}+${toBase64(concatBytes(Uint8Array.of(COSIGNATURE_V1_ALG), publicKey))}`;
}

/** Parses a cosignature/v1 vkey; throws with the reason when it is not one (wrong type, id mismatch). */
export function parseWitnessVkey(vkey: string): WitnessKey {
  let k: Vkey;
  try {
    k = parseVkey(vkey);
  } catch (e) {
    throw new Error((e as Error).message.replace(/^vkey: /, "a witness vkey: "), { cause: e });
  }
  if (k.alg !== COSIGNATURE_V1_ALG) throw new Error("the vkey is not an Ed25519 cosignature/v1 key (type 0x04, 32 bytes)");
  return { name: k.name, keyId: k.keyId, publicKey: k.publicKey, vkey };
}

/** "cosignature/v1\ntime <t>\n" || checkpoint body. */
export function cosignedMessage(body: string, timestamp: number): Uint8Array {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new Error("a cosignature timestamp is a non-negative integer");
  return utf8(`cosignature/v1\ntime ${timestamp}\n${body}`);
}

function u64be(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
}

/**
 * The note line `— <name> base64(key id || u64be(timestamp) || signature)\n`. Synchronous (noble):
 * Ed25519 is deterministic, so it equals what any other implementation signs.
 */
export function cosignLine(name: string, seed: Uint8Array, body: string, timestamp: number): string {
  const publicKey = ed25519.getPublicKey(seed);
  const sig = ed25519.sign(cosignedMessage(body, timestamp), seed);
  return signatureLine(name, cosignatureKeyId(name, publicKey), concatBytes(u64be(timestamp), sig));
}

/** Verifies one cosignature line's blob for a witness; the timestamp, or null when it does not verify. */
export function verifyCosignatureBlob(witness: WitnessKey, body: string, id: Uint8Array, sig: Uint8Array): number | null {
  if (sig.length !== 8 + 64 || !bytesEqual(id, witness.keyId)) return null;
  const ts = new DataView(sig.buffer, sig.byteOffset, 8).getBigUint64(0);
  if (ts > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  const timestamp = Number(ts);
  try {
    return ed25519.verify(sig.subarray(8), cosignedMessage(body, timestamp), witness.publicKey, { zip215: false }) ? timestamp : null;
  } catch {
    return null;
  }
}

/**
 * The witnesses among `trusted` whose cosignature on `note` verifies, each once. Lines of unknown
 * keys are ignored (signed-note); a line with a trusted name and key id whose signature fails
 * makes the note invalid, as signed-note says, and throws.
 */
export function verifyCosignatures(note: string, trusted: WitnessKey[]): Cosignature[] {
  const { body, signatures } = parseNote(note);
  const found = new Map<string, Cosignature>();
  for (const line of signatures) {
    const witness = trusted.find((w) => w.name === line.name && bytesEqual(w.keyId, line.keyId));
    if (!witness) continue;
    const timestamp = verifyCosignatureBlob(witness, body, line.keyId, line.sig);
    if (timestamp === null) throw new Error(`the cosignature of ${witness.name} does not verify`);
    if (!found.has(witness.vkey)) found.set(witness.vkey, { witness, timestamp });
  }
  return [...found.values()];
}
