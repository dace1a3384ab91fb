import { randomBytes } from "node:crypto";
import { chmodSync, renameSync, writeFileSync } from "node:fs";

/** A temporary name beside `file` that no other writer uses, also another main() in this process. */
export const tmpBeside = (file: string): string => `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;

/**
 * Replaces `file` whole or not at all: written beside it, then renamed over it. With `mode`, the
 * file has exactly that mode (the umask may have narrowed it; never widened, but be explicit).
 */
export function writeFileAtomic(file: string, data: string, mode?: number): void {
  const tmp = tmpBeside(file);
  writeFileSync(tmp, data, mode === undefined ? undefined : { mode });
  if (mode !== undefined) chmodSync(tmp, mode);
  renameSync(tmp, file);
}
