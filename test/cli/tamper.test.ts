// Truncation against the real CLI and a real control plane (issue 10, finding 2): rows deleted
// from wrangler dev's local D1 file, the way someone with write access to the database would,
// must make `enc ledger verify` / `enc audit --verify` fail and name what is missing; a pinned
// head must expose a server that replays an older (genuinely signed) head with a shorter history.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "../../protocol/api-client.ts";
import { fromHex } from "../../protocol/bytes.ts";
import { generateSeed, signerFromSeed, type Signer } from "../../protocol/ed25519.ts";
import { GENESIS } from "../../protocol/hash.ts";
import type { ChainHead } from "../../protocol/head.ts";
import { routes } from "../../protocol/routes.ts";
import type { LogBlock, StepReceipt } from "../../protocol/schemas.ts";
import { signReceipt } from "../../protocol/signed.ts";
import { toIso } from "../../protocol/time.ts";
import { waitFor } from "../e2e/agent-harness.ts";
import { testControlPlane } from "../harness/control-plane.ts";
import { fakeApi } from "./fake-api.ts";
import { enc, encEnv, json } from "./run-enc.ts";

const CLUSTER = "tamper";

let cp: Awaited<ReturnType<typeof testControlPlane>>;
let home: string;
let owner: Record<string, string>;
let ownerApi: ApiClient;
let node: Signer;
let headAt2: ChainHead; // the notary's genuine head of web when it had two blocks
const chains = new Map<string, string>(); // app -> last receipt hash
const containers = new Map<string, string>(); // app -> its container on the node (receipts must name one)

async function submit(app: string, count: number): Promise<void> {
  const batch: StepReceipt[] = [];
  if (!containers.has(app)) {
    const { replicas } = await ownerApi.post<{ replicas: { id: string; node: string }[] }>(routes.workloads(CLUSTER), { name: app, image: "oci:/x:latest" });
    expect(replicas[0].node).toBe(node.address);
    containers.set(app, `${replicas[0].id}.1`);
  }
  for (let i = 0; i < count; i++) {
    const prev = chains.get(app) ?? GENESIS;
    const r = await signReceipt(
      {
        v: 1, cluster: CLUSTER, app, container: containers.get(app)!, op: prev === GENESIS ? "create" : "usage", ts: toIso(Date.now() + i),
        resource: { cpu_ms: i, memory_mb_s: 0, storage_gb_day: 0, egress_mb: 0 }, labels: {}, prev_hash: prev,
      },
      node,
    );
    chains.set(app, r.hash);
    batch.push(r);
  }
  await new ApiClient({ url: cp.url, signer: node }).post(routes.receipts(CLUSTER), { receipts: batch });
}

/** Deletes rows straight from the D1 file wrangler dev serves, append-only triggers dropped first. */
function tamperD1(sql: string): void {
  const dir = path.join(cp.dir, "v3", "d1");
  const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".sqlite") && !f.includes("metadata"));
  const db = files.map((f) => path.join(dir, f)).find((f) => execFileSync("sqlite3", [f, "SELECT count(*) FROM sqlite_master WHERE name = 'blocks'"], { encoding: "utf8" }).trim() === "1");
  expect(db, `no ledger database under ${dir}`).toBeTruthy();
  const drops = execFileSync("sqlite3", [db!, "SELECT 'DROP TRIGGER ' || name || ';' FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%no_delete'"], { encoding: "utf8" });
  execFileSync("sqlite3", [db!, `${drops}\n${sql}`]);
}

beforeAll(async () => {
  home = mkdtempSync(path.join(tmpdir(), "enc-cli-tamper-"));
  cp = await testControlPlane();
  owner = encEnv(home, { ENC_URL: cp.url, ENC_WALLET: path.join(home, "owner", "wallet.json") });
  expect((await enc(["wallet", "new"], owner)).code).toBe(0);
  const created = await enc(["cluster", "create", CLUSTER, "--max-receipts-per-block", "2", "--max-block-window-s", "3600"], owner);
  expect(created.code, created.stderr).toBe(0);
  const w = JSON.parse(readFileSync(owner.ENC_WALLET, "utf8")) as { seed: string };
  ownerApi = new ApiClient({ url: cp.url, signer: await signerFromSeed(fromHex(w.seed)) });
  node = await signerFromSeed(generateSeed());
  const { token } = json(await enc(["token", "create", "--json"], owner));
  await new ApiClient({ url: cp.url, signer: node }).post(routes.nodes(CLUSTER), {
    token, node_type: "compute", endpoint: "http://127.0.0.1:7001", capabilities: { cpu_cores: 2, memory_gb: 4 },
  });
  await submit("web", 4);
  headAt2 = await ownerApi.get<ChainHead>(routes.appHead(CLUSTER, "web"));
  await submit("web", 2);
  await submit("api", 4);
});
afterAll(async () => {
  await cp?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe("the verifiers refuse a truncated ledger", () => {
  it("an intact ledger and audit chain verify up to their signed heads, and get pinned", async () => {
    const [web, api, audit] = await Promise.all([
      enc(["ledger", "verify", "web", "--pin", path.join(home, "web.pin")], owner),
      enc(["ledger", "verify", "api", "--json"], owner),
      enc(["audit", "--verify", "--pin", path.join(home, "audit.pin")], owner),
    ]);
    expect(web.code, web.stdout + web.stderr).toBe(0);
    expect(web.stdout).toContain("✓ Ledger of tamper/web verified: 3 blocks, 6 receipts, up to the notary's signed head (height 3)");
    expect(web.stdout).toContain("block signatures checked: ed25519 only");
    expect(JSON.parse(readFileSync(path.join(home, "web.pin"), "utf8"))).toMatchObject({ kind: "log", app: "web", size: 3 });
    expect(json(api)).toMatchObject({ ok: true, blocks: 2, head: { size: 2 } });
    expect(audit.code, audit.stdout + audit.stderr).toBe(0);
    expect(audit.stdout).toMatch(/✓ Audit chain of tamper verified: \d+ entries \(seq 1–\d+\) up to the control plane's signed head/);
  });

  it("a server replaying an older signed head with the shorter history is caught by the pin", async () => {
    const keys = await ownerApi.get(routes.keys());
    const { blocks } = await ownerApi.get<{ blocks: LogBlock[] }>(routes.blocks(CLUSTER, "web"));
    const leaves = await Promise.all([1, 2].map((h) => ownerApi.get<{ receipts: StepReceipt[] }>(routes.blockReceipts(CLUSTER, "web", h))));
    const fake = await fakeApi((p) => {
      if (p === routes.keys()) return keys;
      if (p === routes.appHead(CLUSTER, "web")) return headAt2;
      if (p === routes.blocks(CLUSTER, "web")) return { blocks: blocks.slice(0, 2) };
      const m = /\/blocks\/(\d)\/receipts$/.exec(p);
      return m ? leaves[Number(m[1]) - 1] : undefined;
    });
    try {
      const env = { ...owner, ENC_URL: fake.url };
      const [unpinned, pinned] = await Promise.all([enc(["ledger", "verify", "web"], env), enc(["ledger", "verify", "web", "--pin", path.join(home, "web.pin")], env)]);
      expect(unpinned.code, unpinned.stdout).toBe(0); // a consistent old head and history: only a pin can tell
      expect(pinned.code).toBe(1);
      expect(pinned.stdout).toMatch(/signed head: rollback: the signed head is at 2, but 3 \(blake3:[0-9a-f]{64}\) was pinned/);
      expect(JSON.parse(readFileSync(path.join(home, "web.pin"), "utf8"))).toMatchObject({ size: 3 }); // a failed run does not move the pin
    } finally {
      await fake.close();
    }
  });

  it("deleting the last block and its receipts from D1: ledger verify names the missing block", async () => {
    tamperD1(`DELETE FROM receipts WHERE cluster = '${CLUSTER}' AND app = 'web' AND block_height = 3; DELETE FROM blocks WHERE cluster = '${CLUSTER}' AND app = 'web' AND height = 3;`);
    const [r, j] = await Promise.all([enc(["ledger", "verify", "web"], owner), enc(["ledger", "verify", "web", "--json"], owner)]);
    expect(r.code).toBe(1);
    // Named twice: against the notary's signed head, and against the app log's signed checkpoint.
    expect(r.stdout).toContain("✗ Ledger of tamper/web FAILED verification: 2 problems in 2 blocks, 4 receipts");
    expect(r.stdout).toMatch(/missing: the signed checkpoint has 6 entries, but the ledger holds 4/);
    expect(r.stdout).toMatch(/✗ block 3: missing: the notary's signed head is at height 3 \(blake3:[0-9a-f]{64}\), but the ledger ends at 2/);
    expect(j.code).toBe(1);
    expect(json(j)).toMatchObject({ ok: false, problems: expect.arrayContaining([{ where: "block 3", problem: expect.stringMatching(/^missing/) }]) });
  });

  it("deleting a whole app's blocks from D1: ledger verify names every missing block", async () => {
    tamperD1(`DELETE FROM receipts WHERE cluster = '${CLUSTER}' AND app = 'api'; DELETE FROM blocks WHERE cluster = '${CLUSTER}' AND app = 'api';`);
    const r = await enc(["ledger", "verify", "api"], owner);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain("nothing to verify");
    expect(r.stdout).toMatch(/✗ blocks 1–2: missing: the notary's signed head is at height 2 \(blake3:[0-9a-f]{64}\), but the ledger holds none/);
  });

  it("deleting the last audit entries from D1: audit --verify names the missing seqs, and the pin holds", async () => {
    // The node never heartbeats: ttl + grace (20 s) after joining it goes down, an audit entry.
    // Once it is down nothing else appends, so the head read here stays the head (on a loaded
    // host the down came between this read and the delete, and the seqs named were others).
    await waitFor("the silent node to be down", async () =>
      (await ownerApi.get<{ nodes: { address: string; status: string }[] }>(routes.nodes(CLUSTER))).nodes.some((n) => n.address === node.address && n.status === "down"), 60_000, 250);
    const { size } = await ownerApi.get<ChainHead>(routes.auditHead(CLUSTER));
    tamperD1(`DELETE FROM audit_entries WHERE cluster = '${CLUSTER}' AND seq >= ${size - 2};`);
    const [r, pinned] = await Promise.all([enc(["audit", "--verify"], owner), enc(["audit", "--verify", "--pin", path.join(home, "audit.pin")], owner)]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`✗ audit seq ${size - 2}–${size}: missing: the control plane's signed head is at seq ${size}`);
    expect(r.stdout).toContain(`but the ledger ends at ${size - 3}`);
    expect(pinned.code).toBe(1);
  });
});

describe("ML-DSA-65 co-signatures (quantum_safe)", () => {
  const PQ = "tamper-pq";
  let first: StepReceipt;
  let third: StepReceipt; // in block 2

  beforeAll(async () => {
    const created = await enc(["cluster", "create", PQ, "--quantum-safe", "--max-receipts-per-block", "2", "--max-block-window-s", "3600"], owner);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain("ed25519 + ml-dsa-65 (quantum-safe)");
    const pqNode = await signerFromSeed(generateSeed());
    const { token } = json(await enc(["token", "create", "--cluster", PQ, "--json"], owner));
    const nodeApi = new ApiClient({ url: cp.url, signer: pqNode });
    await nodeApi.post(routes.nodes(PQ), { token, node_type: "compute", endpoint: "http://127.0.0.1:7002", capabilities: { cpu_cores: 2, memory_gb: 4 } });
    const { replicas } = await ownerApi.post<{ replicas: { id: string }[] }>(routes.workloads(PQ), { name: "web", image: "oci:/x:latest" });
    let prev = GENESIS;
    const batch: StepReceipt[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await signReceipt(
        {
          v: 1, cluster: PQ, app: "web", container: `${replicas[0].id}.1`, op: i === 0 ? "create" : "usage", ts: toIso(Date.now() + i),
          resource: { cpu_ms: i, memory_mb_s: 0, storage_gb_day: 0, egress_mb: 0 }, labels: {}, prev_hash: prev,
        },
        pqNode,
      );
      prev = r.hash;
      batch.push(r);
    }
    first = batch[0];
    third = batch[2];
    await nodeApi.post(routes.receipts(PQ), { receipts: batch });
  });

  it("ledger verify, audit --verify and receipts show check both signatures and say so", async () => {
    const [ledger, ledgerJson, audit, shown] = await Promise.all([
      enc(["ledger", "verify", "web", "--cluster", PQ], owner),
      enc(["ledger", "verify", "web", "--cluster", PQ, "--json"], owner),
      enc(["audit", "--verify", "--cluster", PQ], owner),
      enc(["receipts", "show", first.hash], owner),
    ]);
    expect(ledger.code, ledger.stdout + ledger.stderr).toBe(0);
    expect(ledger.stdout).toContain(`✓ Ledger of ${PQ}/web verified: 2 blocks, 4 receipts`);
    expect(ledger.stdout).toContain("block signatures checked: ed25519 + ml-dsa-65");
    expect(json(ledgerJson)).toMatchObject({ ok: true, signatures: "ed25519 + ml-dsa-65", mldsa_checked: 2 });
    expect(audit.code, audit.stdout + audit.stderr).toBe(0);
    expect(audit.stdout).toContain("signatures checked: ed25519 + ml-dsa-65");
    expect(shown.code, shown.stdout).toBe(0);
    expect(shown.stdout).toMatch(/✓ block 1 co-signed \(ML-DSA-65\) by the published notary_mldsa key/);
  });

  it("a tampered ML-DSA-65 co-signature in D1 fails ledger verify and receipts show; a removed one fails too", async () => {
    const { blocks } = await ownerApi.get<{ blocks: LogBlock[] }>(routes.blocks(PQ, "web"));
    const sig = blocks[0].sig_notary_mldsa!;
    const k = 2000; // a base64 character in the middle: still 3,309 bytes, no longer the signature
    const forged = sig.slice(0, k) + (sig[k] === "A" ? "B" : "A") + sig.slice(k + 1);
    tamperD1(
      "DROP TRIGGER IF EXISTS blocks_no_update; " +
        `UPDATE blocks SET body = json_set(body, '$.sig_notary_mldsa', '${forged}') WHERE cluster = '${PQ}' AND app = 'web' AND height = 1; ` +
        `UPDATE blocks SET body = json_remove(body, '$.sig_notary_mldsa') WHERE cluster = '${PQ}' AND app = 'web' AND height = 2;`,
    );
    const [ledger, shown, stripped] = await Promise.all([
      enc(["ledger", "verify", "web", "--cluster", PQ], owner),
      enc(["receipts", "show", first.hash], owner),
      enc(["receipts", "show", third.hash], owner),
    ]);
    expect(ledger.code).toBe(1);
    expect(ledger.stdout).toContain("FAILED verification: 2 problems in 2 blocks, 4 receipts (block signatures checked: ed25519 on all, ml-dsa-65 on 1 of 2)");
    expect(ledger.stdout).toMatch(/✗ block 1: log block ML-DSA-65 co-signature sig_notary_mldsa does not verify for notary_mldsa/);
    expect(ledger.stdout).toMatch(/✗ block 2: no ML-DSA-65 co-signature, but block 1 before it has one/);
    expect(shown.code).toBe(1);
    expect(shown.stdout).toMatch(/✓ block 1 signed by the published notary/);
    expect(shown.stdout).toMatch(/✗ block 1 co-signed \(ML-DSA-65\)/);
    expect(stripped.code).toBe(1);
    expect(stripped.stdout).toMatch(/✗ block 2 co-signed \(ML-DSA-65\): no sig_notary_mldsa, but the notary co-signs every block from 1 on/);
  });
});
