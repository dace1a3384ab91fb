// The output dir's contents at exit: regular files (hashed whole) and symlinks (target text),
// sorted by container path in UTF-8 byte order. Directories are implied by paths; FIFOs, sockets
// and device nodes are not recorded. Nothing is followed: the tree was written by the workload.
import { blake3 } from "@noble/hashes/blake3.js";
import fs from "node:fs";
import path from "node:path";
import { hashToText } from "../../protocol/hash.ts";

export type OutputEntry = { path: string; size: number; data: string } | { path: string; link: string };

async function hashFile(file: string): Promise<{ size: number; data: string }> {
  const handle = await fs.promises.open(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    const h = blake3.create();
    let size = 0;
    for await (const chunk of handle.createReadStream({ autoClose: false }) as AsyncIterable<Buffer>) {
      h.update(chunk);
      size += chunk.length;
    }
    return { size, data: hashToText(h.digest()) };
  } finally {
    await handle.close();
  }
}

export async function collectOutput(hostDir: string, containerDir: string): Promise<OutputEntry[]> {
  const found: { rel: string; kind: "file" | "link" }[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await fs.promises.readdir(path.join(hostDir, rel), { withFileTypes: true }).catch(() => []);
    for (const d of entries) {
      const r = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) await walk(r);
      else if (d.isFile()) found.push({ rel: r, kind: "file" });
      else if (d.isSymbolicLink()) found.push({ rel: r, kind: "link" });
    }
  };
  await walk("");
  const base = containerDir.replace(/\/+$/, "");
  found.sort((a, b) => Buffer.compare(Buffer.from(a.rel), Buffer.from(b.rel)));
  const out: OutputEntry[] = [];
  for (const f of found) {
    const host = path.join(hostDir, f.rel);
    const p = `${base}/${f.rel}`;
    out.push(f.kind === "link" ? { path: p, link: await fs.promises.readlink(host) } : { path: p, ...(await hashFile(host)) });
  }
  return out;
}
