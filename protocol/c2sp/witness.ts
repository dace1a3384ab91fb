// C2SP tlog-witness (PROTOCOL.md §7): the add-checkpoint request both sides speak, the checkpoint
// fields a witness reads, the log's own note signature (type 0x01) a witness checks, and the
// RFC 6962 SHA-256 consistency proofs it verifies. Runtime-neutral, no node: imports.
import { sha256 } from "@noble/hashes/sha2.js";
import { ed25519 } from "@noble/curves/ed25519.js";
import { bytesEqual, concatBytes, fromBase64, fromHex, toBase64, utf8 } from "../bytes.ts";
import { isValidKeyName, splitNote, splitVkey } from "./cosignature.ts";

export const ADD_CHECKPOINT_PATH = "/add-checkpoint";
/** The 409 answer's media type: the witness's size, in decimal, and a newline. */
export const TLOG_SIZE_CONTENT_TYPE = "text/x.tlog.size";
/** tlog-witness: a client never sends more (a tree of 2^63 leaves needs at most 63). */
export const MAX_PROOF_LINES = 63;

/** What a caller did wrong, with the HTTP status tlog-witness assigns to it. */
export class WitnessProtocolError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 422,
    message: string,
  ) {
    super(message);
  }
}

export interface AddCheckpointRequest {
  oldSize: number;
  proof: Uint8Array[];
  /** The signed checkpoint, as sent. */
  note: string;
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;

function decimal(s: string, what: string): number {
  if (!DECIMAL.test(s)) throw new WitnessProtocolError(400, `${what} is not a decimal without leading zeros`);
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new WitnessProtocolError(400, `${what} is too large`);
  return n;
}

/** `old N\n`, the proof hashes in base64 one a line, an empty line, the checkpoint. */
export function formatAddCheckpoint(oldSize: number, proof: Uint8Array[], note: string): string {
  return `old ${oldSize}\n${proof.map((h) => `${toBase64(h)}\n`).join("")}\n${note}`;
}

/** Parses an add-checkpoint body; a malformed one throws a 400 WitnessProtocolError. */
export function parseAddCheckpoint(text: string): AddCheckpointRequest {
  const blank = text.indexOf("\n\n");
  if (blank < 0) throw new WitnessProtocolError(400, "the body needs an old size line, proof lines, an empty line and a checkpoint");
  const head = text.slice(0, blank).split("\n");
  const note = text.slice(blank + 2);
  const first = head[0];
  if (!first.startsWith("old ")) throw new WitnessProtocolError(400, "the first line must be `old <size>`");
  const oldSize = decimal(first.slice(4), "the old size");
  const proofLines = head.slice(1);
  if (proofLines.length > MAX_PROOF_LINES) throw new WitnessProtocolError(400, `more than ${MAX_PROOF_LINES} proof lines`);
  const proof = proofLines.map((line, i) => {
    let h: Uint8Array;
    try {
      h = fromBase64(line);
    } catch {
      throw new WitnessProtocolError(400, `proof line ${i + 1} is not standard base64`);
    }
    if (h.length !== 32) throw new WitnessProtocolError(400, `proof line ${i + 1} is not a 32-byte hash`);
    return h;
  });
  return { oldSize, proof, note };
}

export interface CheckpointFields {
  origin: string;
  size: number;
  root: Uint8Array;
  body: string;
}

/** The first three lines of a checkpoint body (tlog-checkpoint); extension lines are allowed. */
export function parseCheckpointBody(body: string): CheckpointFields {
  const lines = body.split("\n");
  if (lines.length < 4 || lines[lines.length - 1] !== "") throw new WitnessProtocolError(400, "a checkpoint body is origin, size and root hash lines");
  const [origin, sizeText, rootText] = lines;
  if (!origin) throw new WitnessProtocolError(400, "the checkpoint has no origin");
  const size = decimal(sizeText, "the checkpoint size");
  let root: Uint8Array;
  try {
    root = fromBase64(rootText);
  } catch {
    throw new WitnessProtocolError(400, "the checkpoint root is not standard base64");
  }
  if (root.length !== 32) throw new WitnessProtocolError(400, "the checkpoint root is not a 32-byte hash");
  for (const ext of lines.slice(3, -1)) if (ext === "") throw new WitnessProtocolError(400, "a checkpoint has no empty lines");
  return { origin, size, root, body };
}

// ---- the log's own note key (signed-note type 0x01, Ed25519) ----

export interface LogKey {
  name: string;
  keyId: Uint8Array;
  publicKey: Uint8Array;
  vkey: string;
}

/** SHA-256(name || 0x0A || 0x01 || public key)[:4]. */
export function noteKeyId(name: string, publicKey: Uint8Array): Uint8Array {
  return sha256(concatBytes(utf8(name), Uint8Array.of(0x0a, 0x01), publicKey)).slice(0, 4);
}

/** Parses a log's note vkey (`<name>+<id>+<base64(0x01 || key)>`, as Go's note.NewVerifier). */
export function parseLogVkey(vkey: string): LogKey {
  const parts = splitVkey(vkey);
  if (parts.length !== 3) throw new Error("a log vkey is <name>+<key id hex>+<base64 key>");
  const [name, idHex, keyB64] = parts;
  if (!isValidKeyName(name)) throw new Error("the vkey's name is not a valid key name");
  if (!/^[0-9a-f]{8}$/.test(idHex)) throw new Error("the vkey's key id must be 8 lowercase hex");
  let raw: Uint8Array;
  try {
    raw = fromBase64(keyB64);
  } catch {
    throw new Error("the vkey's key is not standard base64");
  }
  if (raw.length !== 33 || raw[0] !== 0x01) throw new Error("the vkey is not an Ed25519 note key (type 0x01, 32 bytes)");
  const publicKey = raw.slice(1);
  const keyId = fromHex(idHex);
  if (!bytesEqual(keyId, noteKeyId(name, publicKey))) throw new Error("the vkey's key id does not match its name and key");
  return { name, keyId, publicKey, vkey };
}

/**
 * Checks a signed checkpoint for a witness: parses it (400), finds the trusted keys of its origin
 * (404 when none), and needs a valid signature from one of them (403), ignoring unknown keys;
 * a trusted key's line that fails makes the note malformed (403), as tlog-witness says.
 */
export function verifyLogCheckpoint(note: string, keysFor: (origin: string) => LogKey[]): CheckpointFields {
  let parts;
  try {
    parts = splitNote(note);
  } catch (e) {
    throw new WitnessProtocolError(400, (e as Error).message);
  }
  const cp = parseCheckpointBody(parts.body);
  const keys = keysFor(cp.origin);
  if (keys.length === 0) throw new WitnessProtocolError(404, `unknown log origin ${cp.origin}`);
  const msg = utf8(parts.body);
  let ok = false;
  for (const line of parts.lines) {
    const key = keys.find((k) => k.name === line.name && bytesEqual(k.keyId, line.blob.subarray(0, 4)));
    if (!key) continue;
    let valid = false;
    try {
      valid = line.blob.length === 68 && ed25519.verify(line.blob.subarray(4), msg, key.publicKey, { zip215: false });
    } catch {
      valid = false;
    }
    if (!valid) throw new WitnessProtocolError(403, `the signature of ${key.name} does not verify`);
    ok = true;
  }
  if (!ok) throw new WitnessProtocolError(403, "no signature from a key trusted for this origin");
  return cp;
}

// ---- RFC 6962 / RFC 9162 §2.1 SHA-256 tree ----

export function emptyRoot(): Uint8Array {
  return sha256(new Uint8Array(0));
}

export function leafHash(entry: Uint8Array): Uint8Array {
  return sha256(concatBytes(Uint8Array.of(0), entry));
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(concatBytes(Uint8Array.of(1), left, right));
}

/**
 * RFC 9162 §2.1.4.2: does `proof` show the tree of `oldSize` with `oldRoot` is a prefix of the
 * tree of `newSize` with `newRoot`? (0 < oldSize ≤ newSize; equal sizes need an empty proof and
 * equal roots.)
 */
export function verifyConsistency(oldSize: number, newSize: number, oldRoot: Uint8Array, newRoot: Uint8Array, proof: Uint8Array[]): boolean {
  if (oldSize < 1 || oldSize > newSize) return false;
  if (oldSize === newSize) return proof.length === 0 && bytesEqual(oldRoot, newRoot);
  if (proof.length === 0) return false;
  let path = proof;
  // When old is a power of two it is a whole subtree: the proof leaves it out.
  if ((oldSize & (oldSize - 1)) === 0) path = [oldRoot, ...proof];
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && bytesEqual(fr, oldRoot) && bytesEqual(sr, newRoot);
}

/** MTH over leaf hashes [lo, hi) (RFC 9162 §2.1.1); `leaves` are already leaf hashes. */
export function rootOf(leaves: readonly Uint8Array[], lo = 0, hi = leaves.length): Uint8Array {
  const n = hi - lo;
  if (n === 0) return emptyRoot();
  if (n === 1) return leaves[lo];
  let k = 1;
  while (k * 2 < n) k *= 2;
  return nodeHash(rootOf(leaves, lo, lo + k), rootOf(leaves, lo + k, hi));
}

/** RFC 9162 §2.1.4.1 PROOF(m, D[n]) over leaf hashes, for 0 < m ≤ n. */
export function consistencyProof(leaves: readonly Uint8Array[], m: number, n = leaves.length): Uint8Array[] {
  if (m < 1 || m > n || n > leaves.length) throw new RangeError(`no consistency proof from ${m} to ${n}`);
  const out: Uint8Array[] = [];
  const sub = (m: number, lo: number, hi: number, complete: boolean): void => {
    const size = hi - lo;
    if (m === size) {
      if (!complete) out.push(rootOf(leaves, lo, hi));
      return;
    }
    let k = 1;
    while (k * 2 < size) k *= 2;
    if (m <= k) {
      sub(m, lo, lo + k, complete);
      out.push(rootOf(leaves, lo + k, hi));
    } else {
      sub(m - k, lo + k, hi, false);
      out.push(rootOf(leaves, lo, lo + k));
    }
  };
  sub(m, 0, n, true);
  return out;
}
