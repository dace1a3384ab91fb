// Shared by the agent tests: temp dirs and leaving no runc container behind.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `enc-${prefix}-`));
}

/** runc containers known under <dataDir>/runc. */
export function runcIds(dataDir: string): string[] {
  const root = path.join(dataDir, "runc");
  if (!fs.existsSync(root)) return [];
  const out = execFileSync("runc", ["--root", root, "list", "--format", "json"], { encoding: "utf8" });
  return ((JSON.parse(out || "null") as { id: string }[] | null) ?? []).map((s) => s.id);
}

/** Force-deletes every runc container of `dataDir`, then removes the listed dirs. */
export function cleanup(dataDir: string | undefined, ...dirs: (string | undefined)[]): void {
  if (dataDir && fs.existsSync(dataDir)) {
    for (const id of runcIds(dataDir)) {
      try {
        execFileSync("runc", ["--root", path.join(dataDir, "runc"), "delete", "--force", id], { stdio: "ignore" });
      } catch {
        // already gone
      }
    }
  }
  for (const d of [dataDir, ...dirs]) if (d) fs.rmSync(d, { recursive: true, force: true });
}

/** Flips one byte in the middle of a file (a tampered blob). */
export function tamper(file: string): void {
  const buf = fs.readFileSync(file);
  const i = Math.floor(buf.length / 2);
  buf[i] = buf[i]! ^ 0xff;
  fs.writeFileSync(file, buf);
}

export function blobPath(layoutDir: string, digest: string): string {
  return path.join(layoutDir, "blobs", "sha256", digest.slice("sha256:".length));
}
