// Outside tools read ENC's logs (PROTOCOL.md §6): a Go program built only on Go's
// golang.org/x/mod/sumdb/note and sumdb/tlog fetches a real Worker's (wrangler dev) checkpoint
// and tiles, verifies the note signature with the vkey from `…/log/`, every tile against the
// root (tlog.TileHashReader), an inclusion proof of every entry and a consistency proof. And the
// reverse: a note and tree written by Go are verified by ENC's protocol code. Without `go` this
// fails (CI installs it).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "../../protocol/api-client.ts";
import { fromBase64, toBase64, utf8 } from "../../protocol/bytes.ts";
import { generateSeed, signerFromSeed } from "../../protocol/ed25519.ts";
import { GENESIS } from "../../protocol/hash.ts";
import { routes } from "../../protocol/routes.ts";
import type { LogBlock, StepReceipt } from "../../protocol/schemas.ts";
import { signReceipt } from "../../protocol/signed.ts";
import { toIso } from "../../protocol/time.ts";
import {
  buildHashTile, openNoteEd25519, parseCheckpoint, parseVkey, rootOfLeafHashes, textToRoot, tlogLeafHash,
  verifyTlogConsistency, verifyTlogInclusion, hashesForAppend, type HashReader,
} from "../../protocol/c2sp/index.ts";
import { sharedControlPlane } from "../harness/control-plane.ts";

const SRC = path.join(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/go-tlog");
const N = 300;
let bin: string;
let dir: string;
let url: string;
let owner: ApiClient;
const cluster = `gotlog-${crypto.randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "enc-go-tlog-"));
  bin = path.join(dir, "go-tlog");
  // GOPATH mode with the distribution's golang.org/x/mod: no module download.
  execFileSync("go", ["build", "-o", bin, "."], {
    cwd: SRC,
    env: { ...process.env, GO111MODULE: "off", GOPATH: "/usr/share/gocode", GOCACHE: path.join(dir, "cache"), GOFLAGS: "" },
    stdio: "pipe",
  });
  url = (await sharedControlPlane()).url;
  owner = new ApiClient({ url, signer: await signerFromSeed(generateSeed()) });
  await owner.post(routes.clusters(), { name: cluster, config: { public_log: true, notary: { max_receipts_per_block: 100, max_block_window_s: 3600 } } });
  const node = await signerFromSeed(generateSeed());
  const { token } = await owner.post<{ token: string }>(routes.joinTokens(cluster), {});
  await new ApiClient({ url, signer: node }).post(routes.nodes(cluster), { token, node_type: "compute", endpoint: "http://127.0.0.1:7001", capabilities: { cpu_cores: 2, memory_gb: 4 } });
  const { replicas } = await owner.post<{ replicas: { id: string }[] }>(routes.workloads(cluster), { name: "web", image: "oci:/x:latest" });
  const batch: StepReceipt[] = [];
  let prev = GENESIS;
  for (let i = 0; i < N; i++) {
    const r = await signReceipt(
      { v: 1, cluster, app: "web", container: `${replicas[0].id}.1`, op: i ? "usage" : "create", ts: toIso(Date.now() + i), resource: { cpu_ms: i, memory_mb_s: 0, storage_gb_day: 0, egress_mb: 0 }, labels: {}, prev_hash: prev },
      node,
    );
    prev = r.hash;
    batch.push(r);
  }
  await new ApiClient({ url, signer: node }).post(routes.receipts(cluster), { receipts: batch });
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("Go's sumdb/note and sumdb/tlog", () => {
  it("verify ENC's app log from a real Worker: note, tiles, every entry, consistency", async () => {
    const base = `${url}/v1/clusters/${cluster}/apps/web/log/`;
    const info = (await (await fetch(base)).json()) as { vkey: string; size: number; origin: string };
    expect(info.size).toBe(N);
    // The first block's binding is an earlier checkpoint: (size, root) the log must extend.
    const { blocks } = await owner.get<{ blocks: LogBlock[] }>(routes.blocks(cluster, "web"));
    expect(blocks.map((b) => b.tlog?.size)).toEqual([100, 200, 300]);
    const oldRoot = textToRoot(blocks[0].tlog!.root);
    const checkpoint = await (await fetch(base + "checkpoint")).text();
    const out = execFileSync(bin, ["verify", base, info.vkey, "100", toBase64(oldRoot)], { encoding: "utf8" });
    const r = JSON.parse(out) as { origin: string; size: number; root: string; signer: string; proved: number; consistent_from: number; tiles: string[] };
    expect(r).toMatchObject({ origin: info.origin, size: N, signer: info.origin, proved: N, consistent_from: 100 });
    const cp = parseCheckpoint((await openNoteEd25519(checkpoint, info.vkey)).body);
    expect(r.root).toBe(toBase64(cp.root));
    // Go read the full tile (immutable), a partial one, and both entry bundles.
    expect(r.tiles).toEqual(expect.arrayContaining(["tile/0/000", "tile/0/001.p/44", "tile/entries/000", "tile/entries/001.p/44"]));
  });

  it("ENC's protocol code verifies a note and tree written by Go", async () => {
    const out = JSON.parse(execFileSync(bin, ["write", "go.example/log", "300", "100", "257"], { encoding: "utf8" })) as {
      vkey: string; note: string; entries: string[]; root: string; old_size: number; old_root: string; leaf: number; inclusion: string[]; consistency: string[]; tile0: string;
    };
    expect(parseVkey(out.vkey).name).toBe("go.example/log");
    const note = await openNoteEd25519(out.note, out.vkey);
    const cp = parseCheckpoint(note.body);
    expect(cp).toMatchObject({ origin: "go.example/log", size: 300 });
    const leaves = out.entries.map((e) => tlogLeafHash(utf8(e)));
    expect(toBase64(rootOfLeafHashes(leaves))).toBe(out.root);
    expect(toBase64(cp.root)).toBe(out.root);
    expect(verifyTlogInclusion(leaves[257], 257, 300, out.inclusion.map(fromBase64), cp.root)).toBe(true);
    expect(verifyTlogInclusion(leaves[256], 257, 300, out.inclusion.map(fromBase64), cp.root)).toBe(false);
    expect(verifyTlogConsistency(100, 300, fromBase64(out.old_root), cp.root, out.consistency.map(fromBase64))).toBe(true);
    // Go's tile 0 equals ENC's tile built from the same stored hashes.
    const store = new Map<string, Uint8Array>();
    const read: HashReader = (l, i) => store.get(`${l}/${i}`)!;
    for (let i = 0; i < leaves.length; i++) for (const h of await hashesForAppend(i, leaves[i], read)) store.set(`${h.level}/${h.index}`, h.hash);
    expect(toBase64(await buildHashTile({ level: 0, index: 0, width: 256 }, read))).toBe(out.tile0);
  });
});

