// The witness's durable memory: per log origin, the size and root it last cosigned, and that
// checkpoint with its cosignature (served to monitors). One JSON file per origin, named by the
// SHA-256 of the origin; each update is written to a temp file, fsynced, renamed over the old
// one and the directory fsynced, so that a crash leaves either the old state or the new one,
// and a cosignature is never answered before the state it vouches for is on disk.
import { createHash } from "node:crypto";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { tmpBeside } from "../atomic-file.ts";

export interface OriginState {
  origin: string;
  size: number;
  /** Standard base64 of the 32-byte root. */
  root: string;
  /** The checkpoint as cosigned: the log's signatures that verified, then ours. */
  checkpoint: string;
  updated_at: string;
}

export function originHash(origin: string): string {
  return createHash("sha256").update(origin, "utf8").digest("hex");
}

export class WitnessStore {
  constructor(readonly dir: string) {}

  private file(origin: string): string {
    return path.join(this.dir, "logs", `${originHash(origin)}.json`);
  }

  async init(): Promise<void> {
    await fsp.mkdir(path.join(this.dir, "logs"), { recursive: true, mode: 0o700 });
  }

  async get(origin: string): Promise<OriginState | null> {
    return this.getByHash(originHash(origin));
  }

  async getByHash(hash: string): Promise<OriginState | null> {
    if (!/^[0-9a-f]{64}$/.test(hash)) return null;
    let text: string;
    try {
      text = await fsp.readFile(path.join(this.dir, "logs", `${hash}.json`), "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw e;
    }
    return JSON.parse(text) as OriginState;
  }

  /** Replaces an origin's state durably (temp, fsync, rename, fsync the directory). */
  async put(state: OriginState): Promise<void> {
    const file = this.file(state.origin);
    const dir = path.dirname(file);
    const tmp = tmpBeside(file);
    const fh = await fsp.open(tmp, "w", 0o600);
    try {
      await fh.writeFile(JSON.stringify(state) + "\n", "utf8");
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, file);
    const dh = await fsp.open(dir, "r");
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  }
}
