// C2SP tlog-witness (PROTOCOL.md §7): the add-checkpoint request both sides speak, and the checks
// a witness makes of the log's checkpoint (its origin, the log's own note signature, type 0x01),
// each failure mapped to the HTTP status tlog-witness assigns. The tree and its consistency
// proofs are tlog.ts's. Runtime-neutral, no node: imports.
import { ed25519 } from "@noble/curves/ed25519.js";
import { bytesEqual, fromBase64, toBase64, utf8 } from "../bytes.ts";
import { parseCheckpoint } from "./checkpoint.ts";
import { ALG_ED25519, parseNote, parseVkey, type Vkey } from "./note.ts";

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

/** The first three lines of a checkpoint body (tlog-checkpoint); a malformed one is a 400. */
export function parseCheckpointBody(body: string): CheckpointFields {
  try {
    const cp = parseCheckpoint(body);
    return { origin: cp.origin, size: cp.size, root: cp.root, body };
  } catch (e) {
    throw new WitnessProtocolError(400, (e as Error).message);
  }
}

// ---- the log's own note key (signed-note type 0x01, Ed25519) ----

export interface LogKey {
  name: string;
  keyId: Uint8Array;
  publicKey: Uint8Array;
  vkey: string;
}

/**
 * Parses a log's note vkey (`<name>+<id>+<base64(0x01 || key)>`), split at its first two '+' as
 * Go's note.NewVerifier does: the base64 key may itself contain '+'.
 */
export function parseLogVkey(vkey: string): LogKey {
  let k: Vkey;
  try {
    k = parseVkey(vkey);
  } catch (e) {
    throw new Error((e as Error).message.replace(/^vkey: /, "a log vkey: "), { cause: e });
  }
  if (k.alg !== ALG_ED25519) throw new Error("the vkey is not an Ed25519 note key (type 0x01, 32 bytes)");
  return { name: k.name, keyId: k.keyId, publicKey: k.publicKey, vkey };
}

/**
 * Checks a signed checkpoint for a witness: parses it (400), finds the trusted keys of its origin
 * (404 when none), and needs a valid signature from one of them (403), ignoring unknown keys;
 * a trusted key's line that fails makes the note malformed (403), as tlog-witness says.
 */
export function verifyLogCheckpoint(note: string, keysFor: (origin: string) => LogKey[]): CheckpointFields {
  let parts;
  try {
    parts = parseNote(note);
  } catch (e) {
    throw new WitnessProtocolError(400, (e as Error).message);
  }
  const cp = parseCheckpointBody(parts.body);
  const keys = keysFor(cp.origin);
  if (keys.length === 0) throw new WitnessProtocolError(404, `unknown log origin ${cp.origin}`);
  const msg = utf8(parts.body);
  let ok = false;
  for (const line of parts.signatures) {
    const key = keys.find((k) => k.name === line.name && bytesEqual(k.keyId, line.keyId));
    if (!key) continue;
    let valid = false;
    try {
      valid = line.sig.length === 64 && ed25519.verify(line.sig, msg, key.publicKey, { zip215: false });
    } catch {
      valid = false;
    }
    if (!valid) throw new WitnessProtocolError(403, `the signature of ${key.name} does not verify`);
    ok = true;
  }
  if (!ok) throw new WitnessProtocolError(403, "no signature from a key trusted for this origin");
  return cp;
}
