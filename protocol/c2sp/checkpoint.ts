// C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): origin, size, base64 root, each on a
// line ending in "\n"; optional extension lines follow (kept, never interpreted).
import { fromBase64, toBase64, toHex, fromHex } from "../bytes.ts";
import { NoteError } from "./note.ts";

export interface Checkpoint {
  origin: string;
  size: number;
  /** 32 bytes (SHA-256) */
  root: Uint8Array;
  /** Extension lines after the root, without their newlines. */
  extensions?: string[];
}

export function checkpointBody(c: Checkpoint): string {
  if (!c.origin || /[\n\r]/.test(c.origin)) throw new NoteError("checkpoint origin must be one non-empty line");
  if (!Number.isSafeInteger(c.size) || c.size < 0) throw new NoteError(`checkpoint size ${c.size} invalid`);
  if (!(c.root instanceof Uint8Array) || c.root.length !== 32) throw new NoteError("checkpoint root must be 32 bytes");
  const ext = (c.extensions ?? []).map((e) => {
    if (!e || /\n/.test(e)) throw new NoteError("checkpoint extension lines must be non-empty single lines");
    return e + "\n";
  });
  return `${c.origin}\n${c.size}\n${toBase64(c.root)}\n${ext.join("")}`;
}

/** Parses a checkpoint body (the signed note's body); throws NoteError when malformed. */
export function parseCheckpoint(body: string): Checkpoint {
  if (!body.endsWith("\n")) throw new NoteError("checkpoint must end with a newline");
  const lines = body.slice(0, -1).split("\n");
  if (lines.length < 3) throw new NoteError("checkpoint needs origin, size and root lines");
  const [origin, sizeText, rootText, ...extensions] = lines;
  if (!origin) throw new NoteError("checkpoint origin is empty");
  // Decimal, no sign, no leading zeros (as Go's tlog.ParseTree).
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText)) throw new NoteError("checkpoint size must be a decimal number");
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) throw new NoteError("checkpoint size too large");
  let root: Uint8Array;
  try {
    root = fromBase64(rootText);
  } catch {
    throw new NoteError("checkpoint root is not standard base64");
  }
  if (root.length !== 32) throw new NoteError("checkpoint root must be 32 bytes");
  if (extensions.some((e) => e === "")) throw new NoteError("checkpoint has an empty line");
  return extensions.length ? { origin, size, root, extensions } : { origin, size, root };
}

/** The form a LogBlock's `tlog.root` takes: "sha256:<64 lowercase hex>". */
export function rootToText(root: Uint8Array): string {
  if (root.length !== 32) throw new Error("root must be 32 bytes");
  return "sha256:" + toHex(root);
}

export function textToRoot(s: string): Uint8Array {
  if (!/^sha256:[0-9a-f]{64}$/.test(s)) throw new Error("expected sha256:<64 lowercase hex>");
  return fromHex(s.slice(7));
}
