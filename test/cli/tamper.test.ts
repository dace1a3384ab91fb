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
    const { size } = await ownerApi.get<ChainHead>(routes.auditHead(CLUSTER));
    tamperD1(`DELETE FROM audit_entries WHERE cluster = '${CLUSTER}' AND seq >= ${size - 2};`);
    const [r, pinned] = await Promise.all([enc(["audit", "--verify"], owner), enc(["audit", "--verify", "--pin", path.join(home, "audit.pin")], owner)]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`✗ audit seq ${size - 2}–${size}: missing: the control plane's signed head is at seq ${size}`);
    expect(r.stdout).toContain(`but the ledger ends at ${size - 3}`);
    expect(pinned.code).toBe(1);
  });
});
