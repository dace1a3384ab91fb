// The CLI against one real control plane (wrangler dev, fresh state): a cluster's whole life from
// `cluster create` to `ledger verify` and `audit --verify`, plus permission errors and tampering.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "../../protocol/api-client.ts";
import { fromHex } from "../../protocol/bytes.ts";
import { generateSeed, signerFromSeed, type Signer } from "../../protocol/ed25519.ts";
import { GENESIS } from "../../protocol/hash.ts";
import type { LogBlock, StepReceipt } from "../../protocol/schemas.ts";
import { signReceipt } from "../../protocol/signed.ts";
import { toIso } from "../../protocol/time.ts";
import { sharedControlPlane } from "../harness/control-plane.ts";
import { fakeApi } from "./fake-api.ts";
import { enc, encEnv, json } from "./run-enc.ts";
import { waitFor } from "../e2e/agent-harness.ts";

let cp: Awaited<ReturnType<typeof sharedControlPlane>>;
let home: string;
let owner: Record<string, string>; // env of the cluster's owner
let other: Record<string, string>; // env of a second wallet
let ownerAddress: string;
let otherAddress: string;
let node: Signer;
const receipts: StepReceipt[] = [];
let container: string | undefined; // web's container on the node: a node's receipts must name one of its replicas

/** Deploys `web`, whose one replica lands on the cluster's only node, and gives its first container's id. */
async function deployWeb(): Promise<string> {
  const r = await enc(["deploy", "web", "--image", "oci:/x:latest", "--cluster", "demo", "--json"], owner);
  expect(r.code, r.stderr).toBe(0);
  const { replicas } = json(r) as { replicas: { id: string; node: string }[] };
  expect(replicas[0].node).toBe(node.address);
  return `${replicas[0].id}.1`;
}

beforeAll(async () => {
  home = mkdtempSync(path.join(tmpdir(), "enc-cli-api-"));
  cp = await sharedControlPlane();
  owner = encEnv(home, { ENC_URL: cp.url, ENC_WALLET: path.join(home, "owner", "wallet.json") });
  other = encEnv(home, { ENC_URL: cp.url, ENC_WALLET: path.join(home, "other", "wallet.json") });
  const [a, b] = await Promise.all([enc(["wallet", "new", "--json"], owner), enc(["wallet", "new", "--json"], other)]);
  ownerAddress = json(a).address;
  otherAddress = json(b).address;
  node = await signerFromSeed(generateSeed());
});
afterAll(async () => {
  await cp?.stop();
  rmSync(home, { recursive: true, force: true });
});

/** `count` receipts continuing one container's chain, signed by the node and submitted by it. */
async function submitReceipts(count: number): Promise<StepReceipt[]> {
  const batch: StepReceipt[] = [];
  container ??= await deployWeb();
  for (let i = 0; i < count; i++) {
    const prev = receipts.at(-1)?.hash ?? GENESIS;
    const r = await signReceipt(
      {
        v: 1, cluster: "demo", app: "web", container, op: receipts.length === 0 ? "create" : "usage",
        ts: toIso(Date.now() + receipts.length), resource: { cpu_ms: 10 * receipts.length, memory_mb_s: 1.5, storage_gb_day: 0, egress_mb: 0 },
        labels: {}, prev_hash: prev,
      },
      node,
    );
    receipts.push(r);
    batch.push(r);
  }
  const res = await new ApiClient({ url: cp.url, signer: node }).post<{ accepted: number }>("/v1/clusters/demo/receipts", { receipts: batch });
  expect(res.accepted).toBe(count);
  // The notary answers before its rows reach D1 (they follow within about a second): receipts
  // are read by hash from D1, so wait until the last one is there.
  const api = await ownerClient();
  const last = batch[batch.length - 1].hash;
  await waitFor(`receipt ${last} in the ledger`, () => api.get(`/v1/receipts/${last}`).then(() => true, (e: { status?: number }) => (e.status === 404 ? false : Promise.reject(e))), 20_000, 50);
  return batch;
}

describe("a cluster's life through the CLI", () => {
  it("cluster create saves the default; cluster show reads it back", async () => {
    const r = await enc(["cluster", "create", "demo", "--max-receipts-per-block", "50", "--max-block-window-s", "3600"], owner);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Created cluster demo");
    expect(r.stdout).toMatch(/Owner\s+bpi1/);
    expect(r.stdout).toContain("50 receipts or after 3600 s");
    // No name and no --cluster: the default saved by `cluster create`.
    const [show, dup] = await Promise.all([enc(["cluster", "show", "--json"], owner), enc(["cluster", "create", "demo", "--json"], owner)]);
    const shown = json(show);
    expect(shown.cluster).toMatchObject({ name: "demo", owner: ownerAddress, nodes: 0 });
    expect(shown.cluster.config.notary).toEqual({ max_receipts_per_block: 50, max_block_window_s: 3600 });
    expect(dup.code).toBe(1);
    expect(JSON.parse(dup.stderr).error.status).toBe(409);
  });

  it("cluster use checks the cluster; enc version names the server's version; no such X names X", async () => {
    const [missing, stranger, ok, version] = await Promise.all([
      enc(["cluster", "use", "nope"], owner),
      enc(["cluster", "use", "demo"], other),
      enc(["cluster", "use", "demo", "--json"], owner),
      enc(["version", "--json"], owner),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`no cluster nope at ${cp.url} that your wallet can see`);
    expect(stranger.code).toBe(1); // a cluster where the wallet holds no role looks the same
    expect(stranger.stderr).toContain("no cluster demo at");
    expect(ok.code, ok.stderr).toBe(0);
    expect(json(ok).cluster).toBe("demo");
    const { version: pkg } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    expect(json(version)).toEqual({ version: pkg, client: pkg, server: pkg, url: cp.url });
    const show = await enc(["cluster", "show", "nope"], owner);
    expect(show.stderr).toContain("no cluster nope");
  });

  it("token create prints the token and the enc-agent join command", async () => {
    const [r, jr] = await Promise.all([enc(["token", "create", "--cluster", "demo", "--ttl", "600"], owner), enc(["token", "create", "--json"], owner)]);
    expect(r.code, r.stderr).toBe(0);
    const token = /Token\s+(\S+)/.exec(r.stdout)?.[1];
    expect(token).toBeTruthy();
    expect(r.stdout).toContain(`enc-agent join --url ${cp.url} --cluster demo --token ${token}`);
    const j = json(jr);
    expect(j).toMatchObject({ cluster: "demo", token: expect.any(String), expires_at: expect.any(String) });
    expect(j.join_command).toBe(`enc-agent join --url ${cp.url} --cluster demo --token ${j.token}`);
  });

  it("nodes lists a node that joined with a token", async () => {
    const [empty, tok] = await Promise.all([enc(["nodes", "--cluster", "demo"], owner), enc(["token", "create", "--json"], owner)]);
    expect(empty.stdout).toMatch(/no nodes yet/);
    const { token } = json(tok);
    await new ApiClient({ url: cp.url, signer: node }).post("/v1/clusters/demo/nodes", {
      token, node_type: "compute", endpoint: "http://127.0.0.1:7001", capabilities: { cpu_cores: 2, memory_gb: 4 },
    });
    const [r, jr] = await Promise.all([enc(["nodes", "--cluster", "demo"], owner), enc(["nodes", "--json"], owner)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ADDRESS\s+TYPE\s+STATUS/);
    expect(r.stdout).toContain(node.address);
    expect(r.stdout).toMatch(/1 node in demo/);
    const j = json(jr);
    expect(j.nodes).toHaveLength(1);
    expect(j.nodes[0]).toMatchObject({ address: node.address, node_type: "compute", endpoint: "http://127.0.0.1:7001" });
  });

  it("receipts show: pending, then sealed by ledger seal with every check ✓", async () => {
    const [first] = await submitReceipts(3);
    const pending = await enc(["receipts", "show", first.hash], owner);
    expect(pending.code, pending.stderr).toBe(0);
    expect(pending.stdout).toMatch(/not yet/);
    expect(pending.stdout).toMatch(/✓ receipt hash and node signature/);

    const sealed = await enc(["ledger", "seal", "web"], owner);
    expect(sealed.code, sealed.stderr).toBe(0);
    expect(sealed.stdout).toContain("Sealed block 1 of demo/web with 3 receipts");
    expect(json(await enc(["ledger", "seal", "web", "--json"], owner))).toEqual({ cluster: "demo", app: "web", block: null });
    await submitReceipts(2);
    const b2 = json(await enc(["ledger", "seal", "web", "--json"], owner));
    expect(b2.block).toMatchObject({ height: 2, count: 2 });

    const [r, jr] = await Promise.all([enc(["receipts", "show", receipts[1].hash], owner), enc(["receipts", "show", receipts[4].hash, "--json"], owner)]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout.match(/✓/g)).toHaveLength(5);
    expect(r.stdout).not.toContain("✗");
    expect(r.stdout).toMatch(/✓ block 1 signed by the published notary/);
    expect(r.stdout).toMatch(/✓ included in block 1\s+leaf 1 of 3/);
    expect(r.stdout).toMatch(/✓ included in the app log \(entry 1\)\s+proof against the notary's signed checkpoint of 5 entries/);
    const j = json(jr);
    expect(j).toMatchObject({ ok: true, sealed: true, inclusion: { height: 2, leaf_index: 1, tree_size: 2 } });
    expect(j.checks.map((c: { ok: boolean }) => c.ok)).toEqual([true, true, true, true, true]);
  });

  it("ledger blocks lists the blocks", async () => {
    const [r, jr] = await Promise.all([enc(["ledger", "blocks", "web"], owner), enc(["ledger", "blocks", "web", "--json", "--from-height", "2"], owner)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/HEIGHT\s+RECEIPTS\s+FROM\s+TO\s+MERKLE ROOT/);
    expect(r.stdout).toMatch(/^1\s+3\s/m);
    expect(r.stdout).toMatch(/^2\s+2\s/m);
    const j = json<{ blocks: LogBlock[] }>(jr);
    expect(j.blocks.map((b) => b.height)).toEqual([2]);
  });

  it("ledger verify checks everything and reports counts", async () => {
    const [r, jr] = await Promise.all([enc(["ledger", "verify", "web", "--verbose"], owner), enc(["ledger", "verify", "web", "--json"], owner)]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("✓ Ledger of demo/web verified: 2 blocks, 5 receipts");
    expect(r.stderr).toContain("verifying blocks: 2/2"); // stderr is a pipe: plain lines, only with --verbose
    const j = json(jr);
    expect(j).toMatchObject({ ok: true, blocks: 2, receipts: 5, problems: [], notary: (await keys()).notary });
  });

  it("roles grant, list and revoke; a viewer gets 403 on admin actions", async () => {
    const g = await enc(["roles", "grant", otherAddress, "viewer", "--cluster", "demo"], owner);
    expect(g.code, g.stderr).toBe(0);
    expect(g.stdout).toContain(`Granted viewer to ${otherAddress}`);
    const [listed, human, viewed, denied, deniedJson] = await Promise.all([
      enc(["roles", "--cluster", "demo", "--json"], owner),
      enc(["roles"], owner),
      enc(["nodes", "--cluster", "demo"], other),
      enc(["token", "create", "--cluster", "demo"], other),
      enc(["roles", "grant", otherAddress, "admin", "--cluster", "demo", "--json"], other),
    ]);
    const list = json(listed);
    expect(list.roles).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ address: ownerAddress, role: "owner" }),
        expect.objectContaining({ address: otherAddress, role: "viewer" }),
      ]),
    );
    expect(human.stdout).toMatch(new RegExp(`${otherAddress}\\s+viewer`));
    expect(viewed.code).toBe(0);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/Forbidden \(403\): .*admin/);
    expect(denied.stderr).not.toMatch(/\n\s+at /);
    expect(deniedJson.code).toBe(1);
    expect(JSON.parse(deniedJson.stderr).error).toMatchObject({ code: "api_error", status: 403 });

    const rv = json(await enc(["roles", "revoke", otherAddress, "--cluster", "demo", "--json"], owner));
    expect(rv.revoked).toMatchObject({ address: otherAddress, role: "viewer" });
    const after = await enc(["nodes", "--cluster", "demo"], other);
    expect(after.code).toBe(1);
    expect(after.stderr).toMatch(/40[34]/);
  });

  it("audit lists entries and --verify checks the whole chain", async () => {
    const [r, pr, v, jv] = await Promise.all([
      enc(["audit", "--cluster", "demo"], owner),
      enc(["audit", "--from-seq", "2", "--limit", "2", "--json"], owner),
      enc(["audit", "--verify"], owner),
      enc(["audit", "--verify", "--json"], owner),
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^1\s+\S+\s+ClusterCreated\s+bpi1/m);
    expect(r.stdout).toContain("NodeAdded");
    const page = json(pr);
    expect(page.entries.map((e: { seq: number }) => e.seq)).toEqual([2, 3]);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toMatch(/✓ Audit chain of demo verified: \d+ entries \(seq 1–\d+\)/);
    const j = json(jv);
    expect(j).toMatchObject({ ok: true, problems: [], control_plane: (await keys()).control_plane });
    expect(j.entries).toBeGreaterThanOrEqual(8);
  });
});

describe("verification catches a dishonest server", () => {
  it("a tampered receipt fails ledger verify and receipts show (exit 1, problems named)", async () => {
    const ownerApi = await ownerClient();
    const k = await keys();
    const { blocks } = await ownerApi.get<{ blocks: LogBlock[] }>("/v1/clusters/demo/apps/web/blocks");
    const full = await Promise.all(blocks.map((b) => ownerApi.get<{ receipts: StepReceipt[] }>(`/v1/clusters/demo/apps/web/blocks/${b.height}/receipts`)));
    const stats = await ownerApi.get("/v1/clusters/demo/apps/web/notary");
    const head = await ownerApi.get("/v1/clusters/demo/apps/web/head");
    const shown = await ownerApi.get<{ receipt: StepReceipt; inclusion: { path: string[] } }>(`/v1/receipts/${receipts[0].hash}`);
    // Inflate one receipt's usage after the fact, and hand out a proof with a wrong sibling.
    const forged = full.map((f, i) => (i === 0 ? f.receipts.map((r, j) => (j === 2 ? { ...r, resource: { ...r.resource, cpu_ms: 1 } } : r)) : f.receipts));
    const badProof = { ...shown.inclusion, path: shown.inclusion.path.map((p, i) => (i === 0 ? "blake3:" + "ab".repeat(32) : p)) };
    const fake = await fakeApi((p, q) => {
      const base = "/v1/clusters/demo/apps/web";
      if (p === "/v1/keys") return k;
      if (p === `${base}/notary`) return stats;
      if (p === `${base}/head`) return head;
      if (p === `${base}/blocks`) return { blocks: blocks.filter((b) => b.height >= Number(q.get("from_height") ?? 1)) };
      const m = /^\/v1\/clusters\/demo\/apps\/web\/blocks\/(\d+)(\/receipts)?$/.exec(p);
      if (m && m[2]) return { receipts: forged[Number(m[1]) - 1] ?? [] };
      if (m) return { block: blocks[Number(m[1]) - 1], receipts: full[Number(m[1]) - 1]?.receipts.map((r) => r.hash) };
      if (p === `/v1/receipts/${receipts[0].hash}`) return { receipt: shown.receipt, inclusion: badProof };
      return undefined;
    });
    try {
      const env = { ...owner, ENC_URL: fake.url };
      const [v, vj, s] = await Promise.all([
        enc(["ledger", "verify", "web"], env),
        enc(["ledger", "verify", "web", "--json"], env),
        enc(["receipts", "show", receipts[0].hash], env),
      ]);
      expect(v.code).toBe(1);
      expect(v.stdout).toMatch(/✗ Ledger of demo\/web FAILED verification: 1 problem in 2 blocks, 5 receipts/);
      expect(v.stdout).toContain(`block 1 receipt 2 (${receipts[2].hash}): receipt hash does not match its body`);
      expect(vj.code).toBe(1);
      expect(json(vj)).toMatchObject({ ok: false, problems: [{ where: expect.stringContaining("block 1 receipt 2"), problem: expect.any(String) }] });

      expect(s.code).toBe(1);
      expect(s.stdout).toMatch(/✓ block 1 signed by the published notary/);
      expect(s.stdout).toMatch(/✗ included in block 1: receipt .* is not leaf 0/);
    } finally {
      await fake.close();
    }
  });
});

let keysCache: { control_plane: string; notary: string } | undefined;
async function keys() {
  keysCache ??= await new ApiClient({ url: cp.url }).get<{ control_plane: string; notary: string }>("/v1/keys");
  return keysCache;
}

/** The owner's wallet as an ApiClient, to read the real ledger the fake server then distorts. */
async function ownerClient(): Promise<ApiClient> {
  const w = JSON.parse(readFileSync(owner.ENC_WALLET, "utf8")) as { seed: string };
  return new ApiClient({ url: cp.url, signer: await signerFromSeed(fromHex(w.seed)) });
}
