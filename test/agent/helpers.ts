// Shared by the agent tests: temp dirs and leaving no runc container behind.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { idRangeFile } from "../../node-agent/image/id-range.ts";

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
  if (dataDir && fs.existsSync(idRangeFile(dataDir))) {
    // a host-network container fenced this range off the host; the range goes with the data dir
    const { base, size } = JSON.parse(fs.readFileSync(idRangeFile(dataDir), "utf8")) as { base: number; size: number };
    const ids = `${base}-${base + size - 1}`;
    for (const tool of ["iptables", "ip6tables"]) {
      for (;;) {
        const rules = execFileSync(tool, ["-w", "5", "-S", "OUTPUT"], { encoding: "utf8" }).split("\n");
        const rule = rules.find((r) => r.includes(`--uid-owner ${ids} `));
        if (!rule) break;
        execFileSync("sh", ["-c", `${tool} -w 5 ${rule.replace(/^-A /, "-D ")}`]);
      }
    }
  }
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

/** Answers `res` with what the real registry at `registryHost` answers for `urlPath` (a test front's pass-through). */
export async function relayFromRegistry(res: import("node:http").ServerResponse, registryHost: string, urlPath: string, accept: string | undefined): Promise<void> {
  const upstream = await fetch(`http://${registryHost}${urlPath}`, { headers: { accept: accept ?? "*/*" } });
  const headers: Record<string, string> = {};
  for (const k of ["content-type", "docker-content-digest", "content-length"]) {
    const v = upstream.headers.get(k);
    if (v) headers[k] = v;
  }
  res.writeHead(upstream.status, headers).end(Buffer.from(await upstream.arrayBuffer()));
}
