// The resolver commands against one real control plane (wrangler dev, fresh state), run as the
// `enc` binary: register a name and resolve it, DIDs from create to deactivate, zk proofs, the
// cache, privacy mode, and the errors a user meets.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromHex } from "../../protocol/bytes.ts";
import { signerFromSeed } from "../../protocol/ed25519.ts";
import { TEST_KEYS } from "../fixtures/keys.ts";
import { sharedControlPlane } from "../harness/control-plane.ts";
import { enc, encEnv, json } from "./run-enc.ts";

let cp: Awaited<ReturnType<typeof sharedControlPlane>>;
let home: string;
let alice: Record<string, string>;
let bob: Record<string, string>;
let admin: Record<string, string>;
let aliceAddress: string;

beforeAll(async () => {
  home = mkdtempSync(path.join(tmpdir(), "enc-cli-resolver-"));
  cp = await sharedControlPlane();
  alice = encEnv(home, { ENC_URL: cp.url, ENC_WALLET: path.join(home, "alice", "wallet.json") });
  bob = encEnv(home, { ENC_URL: cp.url, ENC_WALLET: path.join(home, "bob", "wallet.json") });
  // The resolver admin by default: the control-plane key, as an ordinary wallet file.
  const cpSigner = await signerFromSeed(fromHex(TEST_KEYS.controlPlane));
  mkdirSync(path.join(home, "admin"), { recursive: true });
  writeFileSync(path.join(home, "admin", "wallet.json"), JSON.stringify({ version: 1, address: cpSigner.address, seed: TEST_KEYS.controlPlane, created: new Date().toISOString() }), { mode: 0o600 });
  admin = encEnv(home, { ENC_URL: cp.url, ENC_WALLET: path.join(home, "admin", "wallet.json") });
  const [a] = await Promise.all([enc(["wallet", "new", "--json"], alice), enc(["wallet", "new", "--json"], bob)]);
  aliceAddress = json(a).address;
});
afterAll(async () => {
  await cp?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe("enc registry and enc resolve (httpcg://)", () => {
  it("registers a name and resolves it", async () => {
    const set = await enc(["registry", "set", "app.example.com", "--endpoint", "https://origin.example.com/app", "--wallet-binding", aliceAddress], alice);
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/Registered httpcg:\/\/app\.example\.com → https:\/\/origin\.example\.com\/app \(version 1/);
    const r = json(await enc(["resolve", "httpcg://app.example.com/api/v1", "--json"], alice));
    expect(r).toMatchObject({ protocol: "httpcg", endpoint: "https://origin.example.com/app/api/v1", wallet_binding: aliceAddress, cache_ttl: 300 });
    expect(r.security_requirements.qlock_binding.token).toMatch(/^qlock1:[0-9a-f]{64}$/);
    const human = await enc(["resolve", "httpcg://app.example.com/api/v1"], bob);
    expect(human.stdout).toMatch(/Endpoint\s+https:\/\/origin\.example\.com\/app\/api\/v1/);
    expect(human.stdout).toMatch(/QLOCK token\s+qlock1:/);
  });

  it("keeps the host for its owner, shows history, and removes it", async () => {
    await enc(["registry", "set", "owned.example.com", "--endpoint", "https://a.example.com"], alice);
    const stolen = await enc(["registry", "set", "owned.example.com", "--endpoint", "https://evil.example.com"], bob);
    expect(stolen.code).toBe(1);
    expect(stolen.stderr).toMatch(/403.*another wallet/);
    expect((await enc(["registry", "set", "owned.example.com", "--endpoint", "https://b.example.com", "--ttl", "60"], alice)).stdout).toMatch(/Updated/);
    expect(json(await enc(["registry", "show", "owned.example.com", "--json"], bob)).registration).toMatchObject({ version: 2, record: { ttl_s: 60 } });
    expect((await enc(["registry", "show", "owned.example.com", "--versions"], bob)).stdout).toMatch(/1 .*https:\/\/a\.example\.com[\s\S]*2 .*https:\/\/b\.example\.com/);
    expect((await enc(["registry", "rm", "owned.example.com"], alice)).code).toBe(0);
    const gone = await enc(["resolve", "httpcg://owned.example.com/"], alice);
    expect([gone.code, /404/.test(gone.stderr)]).toEqual([1, true]);
  });

  it("reports usage errors before any request (exit 2) and resolver errors with their field", async () => {
    expect((await enc(["registry", "set", "Bad_Host", "--endpoint", "https://a.example.com"], alice)).code).toBe(2);
    expect((await enc(["registry", "set", "x.example.com"], alice)).code).toBe(2);
    const bad = await enc(["resolve", "httpcg://x.example.com/../etc", "--json"], alice);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stderr).error).toMatchObject({ status: 400, problem: { code: "invalidPath", field: "name" } });
  });
});

describe("enc did, enc zk and rootzk://", () => {
  it("creates, resolves, updates and deactivates a DID", async () => {
    const created = await enc(["did", "create", "did:bpi:alice", "--service", "api=https://api.example.com/v1"], alice);
    expect(created.stdout).toMatch(/Created did:bpi:alice \(version 1/);
    expect((await enc(["did", "create", "did:bpi:alice"], alice)).stderr).toMatch(/already exists/);
    expect(json(await enc(["resolve", "rootzk://did:bpi:alice/api/users/7", "--json"], bob))).toMatchObject({ endpoint: "https://api.example.com/v1/users/7", wallet_binding: aliceAddress, cache_ttl: 600 });
    expect((await enc(["did", "update", "did:bpi:alice", "--service", "files=https://files.example.com/"], bob)).code).toBe(1);
    expect((await enc(["did", "update", "did:bpi:alice", "--service", "files=https://files.example.com/"], alice)).stdout).toMatch(/version 2/);
    const shown = await enc(["did", "show", "did:bpi:alice"], bob);
    expect(shown.stdout).toMatch(/#files → https:\/\/files\.example\.com\//);
    expect(json(await enc(["did", "show", "did:bpi:alice", "--version", "1", "--json"], bob)).didDocumentMetadata).toMatchObject({ versionId: "1", nextVersionId: "2" });
    expect((await enc(["resolve", "did:bpi:alice?service=files&relativeRef=a/b"], bob)).stdout.trim()).toBe("https://files.example.com/a/b");
  });

  it("proves and verifies once; privacy-mode resolution needs a proof", async () => {
    const proofFile = path.join(home, "proof.json");
    const proved = await enc(["zk", "prove", "did:bpi:alice"], alice);
    expect(proved.code).toBe(0);
    writeFileSync(proofFile, proved.stdout);
    expect((await enc(["zk", "verify", proofFile], bob)).stdout).toMatch(/Proof verified: the prover holds did:bpi:alice#key-1/);
    const replay = await enc(["zk", "verify", proofFile], bob);
    expect([replay.code, /replayed/.test(replay.stderr)]).toEqual([1, true]);
    expect((await enc(["zk", "prove", "did:bpi:alice"], bob)).stderr).toMatch(/not a verification method/);
    const priv = json(await enc(["resolve", "httpcg://app.example.com/p", "--privacy", "--did", "did:bpi:alice", "--json"], alice));
    expect(priv.endpoint).toBe("https://origin.example.com/app/p");
  });

  it("deactivates a DID for good", async () => {
    expect((await enc(["did", "deactivate", "did:bpi:alice"], alice)).stdout).toMatch(/Deactivated did:bpi:alice/);
    const r = await enc(["resolve", "rootzk://did:bpi:alice/api"], bob);
    expect([r.code, /410/.test(r.stderr)]).toEqual([1, true]);
    expect((await enc(["did", "show", "did:bpi:alice"], bob)).stdout).toMatch(/deactivated/);
  });
});

describe("enc cache", () => {
  it("shows stats to anyone and clears only for a resolver admin", async () => {
    expect(json(await enc(["cache", "stats", "--json"], bob))).toMatchObject({ capacity: 10_000 });
    const denied = await enc(["cache", "clear"], bob);
    expect([denied.code, /403/.test(denied.stderr)]).toEqual([1, true]);
    expect((await enc(["cache", "clear"], admin)).stdout).toMatch(/Cleared \d+ entr/);
  });
});
