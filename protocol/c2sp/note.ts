// C2SP signed-note (https://c2sp.org/signed-note), as Go's golang.org/x/mod/sumdb/note reads it.
// The line and key-id helpers take the algorithm byte as a parameter so other signature types
// (cosignature/v1, 0x04, in cosignature.ts) reuse them; only Ed25519 (0x01) is verified here.
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesEqual, concatBytes, fromBase64, fromUtf8, toBase64, toHex, utf8, fromHex } from "../bytes.ts";
import { verifySignature, type Signer } from "../ed25519.ts";

/** Signature type byte of a plain Ed25519 note signature. */
export const ALG_ED25519 = 0x01;
/** U+2014 EM DASH, then a space: the start of every signature line. */
export const SIG_LINE_PREFIX = "\u2014 ";

export class NoteError extends Error {
  override name = "NoteError";
}

/**
 * Key names: non-empty, no Unicode whitespace, no "+" (Go's isValidName), so a vkey splits
 * unambiguously and a signature line has exactly three space-separated parts.
 */
export function isValidKeyName(name: string): boolean {
  return typeof name === "string" && name.length > 0 && !/[\s+]/u.test(name) && !/\p{Cc}/u.test(name);
}

/** key id = the first 4 bytes of SHA-256(name || 0x0A || alg || public key). */
export function keyId(name: string, alg: number, publicKey: Uint8Array): Uint8Array {
  if (!isValidKeyName(name)) throw new NoteError(`invalid key name ${JSON.stringify(name)}`);
  if (!Number.isInteger(alg) || alg < 0 || alg > 255) throw new NoteError(`invalid algorithm byte ${alg}`);
  return sha256(concatBytes(utf8(name), Uint8Array.of(0x0a, alg), publicKey)).slice(0, 4);
}

/** Verifier key string `<name>+<key id as 8 hex>+<base64(alg || public key)>`. */
export function encodeVkey(name: string, alg: number, publicKey: Uint8Array): string {
  return `${name}+${toHex(keyId(name, alg, publicKey))}+${toBase64(concatBytes(Uint8Array.of(alg), publicKey))}`;
}

export interface Vkey {
  name: string;
  /** 4 bytes */
  keyId: Uint8Array;
  alg: number;
  publicKey: Uint8Array;
}

/** Parses a vkey; throws NoteError unless its key id matches its name and key (as Go checks). */
export function parseVkey(vkey: string): Vkey {
  if (typeof vkey !== "string") throw new NoteError("vkey: expected a string");
  // Only the first two "+" separate: base64 has "+" too (as Go's note.NewVerifier splits).
  const a = vkey.indexOf("+");
  const b = a < 0 ? -1 : vkey.indexOf("+", a + 1);
  if (a < 0 || b < 0) throw new NoteError("vkey: expected <name>+<hex id>+<base64 key>");
  const [name, idHex, keyB64] = [vkey.slice(0, a), vkey.slice(a + 1, b), vkey.slice(b + 1)];
  if (!isValidKeyName(name)) throw new NoteError("vkey: invalid key name");
  if (!/^[0-9a-f]{8}$/.test(idHex)) throw new NoteError("vkey: key id must be 8 lowercase hex");
  let raw: Uint8Array;
  try {
    raw = fromBase64(keyB64);
  } catch {
    throw new NoteError("vkey: key is not standard base64");
  }
  if (raw.length < 2) throw new NoteError("vkey: key too short");
  const alg = raw[0];
  const publicKey = raw.slice(1);
  if ((alg === ALG_ED25519 || alg === 0x04) && publicKey.length !== 32) throw new NoteError("vkey: Ed25519 key must be 32 bytes");
  const id = fromHex(idHex);
  if (!bytesEqual(id, keyId(name, alg, publicKey))) throw new NoteError("vkey: key id does not match name and key");
  return { name, keyId: id, alg, publicKey };
}

export interface NoteSignature {
  name: string;
  /** The first 4 bytes of the decoded signature field. */
  keyId: Uint8Array;
  /** Everything after the key id (for Ed25519: the 64-byte signature). */
  sig: Uint8Array;
  /** The whole line, with its trailing "\n". */
  line: string;
}

/** `— <name> <base64(key id || sig)>\n` */
export function signatureLine(name: string, keyIdBytes: Uint8Array, sig: Uint8Array): string {
  if (!isValidKeyName(name)) throw new NoteError(`invalid key name ${JSON.stringify(name)}`);
  if (keyIdBytes.length !== 4) throw new NoteError("key id must be 4 bytes");
  return `${SIG_LINE_PREFIX}${name} ${toBase64(concatBytes(keyIdBytes, sig))}\n`;
}

/** Parses one signature line (with or without its trailing newline). */
export function parseSignatureLine(line: string): NoteSignature {
  const text = line.endsWith("\n") ? line.slice(0, -1) : line;
  if (!text.startsWith(SIG_LINE_PREFIX)) throw new NoteError("signature line must start with U+2014 and a space");
  const rest = text.slice(SIG_LINE_PREFIX.length);
  const parts = rest.split(" ");
  if (parts.length !== 2) throw new NoteError("signature line must be `— <name> <base64>`");
  const [name, b64] = parts;
  if (!isValidKeyName(name)) throw new NoteError("signature line: invalid key name");
  let raw: Uint8Array;
  try {
    raw = fromBase64(b64);
  } catch {
    throw new NoteError("signature line: not standard base64");
  }
  if (raw.length < 5) throw new NoteError("signature line: too short");
  return { name, keyId: raw.slice(0, 4), sig: raw.slice(4), line: text + "\n" };
}

/** A body is UTF-8 text ending in "\n" with no other control characters (Go's note rules). */
export function checkNoteBody(body: string): void {
  if (!body.endsWith("\n")) throw new NoteError("note body must end with a newline");
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0009\u000b-\u001f\u007f]/.test(body)) throw new NoteError("note body has control characters");
}

/** body, an empty line, the signature lines. */
export function formatNote(body: string, lines: readonly string[]): string {
  checkNoteBody(body);
  for (const l of lines) parseSignatureLine(l);
  return body + "\n" + lines.map((l) => (l.endsWith("\n") ? l : l + "\n")).join("");
}

export interface ParsedNote {
  body: string;
  signatures: NoteSignature[];
}

/** Splits a signed note into its body and signature lines; throws NoteError on a malformed note. */
export function parseNote(text: string | Uint8Array): ParsedNote {
  let s: string;
  try {
    s = typeof text === "string" ? text : fromUtf8(text);
  } catch {
    throw new NoteError("note is not UTF-8");
  }
  if (s.length > 1_000_000) throw new NoteError("note too large");
  // The body cannot contain an empty line: the last "\n\n" ends it (as Go splits it).
  const split = s.lastIndexOf("\n\n");
  if (split < 0) throw new NoteError("note has no signature block");
  const body = s.slice(0, split + 1);
  checkNoteBody(body);
  const sigText = s.slice(split + 2);
  if (!sigText.endsWith("\n")) throw new NoteError("signature block must end with a newline");
  const lines = sigText.slice(0, -1).split("\n");
  const signatures = lines.map(parseSignatureLine);
  if (signatures.length === 0) throw new NoteError("note has no signatures");
  return { body, signatures };
}

/** Signs `body` with an Ed25519 key under `name`; returns the signature line. */
export async function signEd25519Line(body: string, name: string, signer: Pick<Signer, "publicKey" | "sign">): Promise<string> {
  checkNoteBody(body);
  const sig = await signer.sign(utf8(body));
  return signatureLine(name, keyId(name, ALG_ED25519, signer.publicKey), sig);
}

/** A signed note with one Ed25519 signature. */
export async function signNoteEd25519(body: string, name: string, signer: Pick<Signer, "publicKey" | "sign">): Promise<string> {
  return formatNote(body, [await signEd25519Line(body, name, signer)]);
}

/** The signature lines of `note` made by the key `vkey` (same name and key id). */
export function signaturesFor(note: ParsedNote, vkey: Vkey): NoteSignature[] {
  return note.signatures.filter((s) => s.name === vkey.name && bytesEqual(s.keyId, vkey.keyId));
}

/**
 * True when `note` carries a valid Ed25519 signature by `vkey` over its body. Never throws for a
 * bad signature; throws NoteError only for a vkey that is not Ed25519 (a caller's mistake).
 */
export async function verifyNoteEd25519(note: ParsedNote, vkey: Vkey | string): Promise<boolean> {
  const k = typeof vkey === "string" ? parseVkey(vkey) : vkey;
  if (k.alg !== ALG_ED25519) throw new NoteError(`vkey ${k.name} is not an Ed25519 note key`);
  const msg = utf8(note.body);
  for (const s of signaturesFor(note, k)) {
    if (s.sig.length === 64 && (await verifySignature(k.publicKey, msg, s.sig))) return true;
  }
  return false;
}

/** Parses a note text and checks its Ed25519 signature by `vkey`; throws NoteError if either fails. */
export async function openNoteEd25519(text: string | Uint8Array, vkey: Vkey | string): Promise<ParsedNote> {
  const note = parseNote(text);
  const k = typeof vkey === "string" ? parseVkey(vkey) : vkey;
  if (!(await verifyNoteEd25519(note, k))) throw new NoteError(`note has no valid signature by ${k.name}`);
  return note;
}

/** A signer whose `sign` returns at once (a DO's synchronous transaction). */
export interface SyncNoteSigner {
  publicKey: Uint8Array;
  sign(msg: Uint8Array): Uint8Array;
}

/** As signEd25519Line, synchronously. */
export function signEd25519LineSync(body: string, name: string, signer: SyncNoteSigner): string {
  checkNoteBody(body);
  return signatureLine(name, signerKeyId(name, signer.publicKey), signer.sign(utf8(body)));
}

/**
 * keyId of a signer's key under `name`, once per key object and name: a DO signs a checkpoint
 * with the same key and origin after every change, and keyId's name check and SHA-256 cost
 * almost a millisecond a deploy in profiles. Keyed by the signer's (cached, never written)
 * public key array.
 */
const signerKeyIds = new WeakMap<Uint8Array, Map<string, Uint8Array>>();
function signerKeyId(name: string, publicKey: Uint8Array): Uint8Array {
  let byName = signerKeyIds.get(publicKey);
  if (!byName) signerKeyIds.set(publicKey, (byName = new Map()));
  let id = byName.get(name);
  if (!id) {
    id = keyId(name, ALG_ED25519, publicKey);
    if (byName.size < 64) byName.set(name, id);
  }
  return id;
}
