// The CLI's use of the transparency logs against a real Worker (wrangler dev): `enc ledger verify`
// and `enc audit --verify` check the newest checkpoint and prove every entry from tiles, remember
// the checkpoint per log under the config dir, and fail on a rollback or a fork
// (`--since-checkpoint FILE` or the remembered one); `enc receipts show` proves app-log inclusion.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "../../protocol/api-client.ts";
import { fromHex } from "../../protocol/bytes.ts";
import { generateSeed, signerFromHex, signerFromSeed, type Signer } from "../../protocol/ed25519.ts";
import { GENESIS } from "../../protocol/hash.ts";
import { routes } from "../../protocol/routes.ts";
import type { StepReceipt } from "../../protocol/schemas.ts";
import { signReceipt } from "../../protocol/signed.ts";
import { toIso } from "../../protocol/time.ts";
import { checkpointBody, signNoteEd25519 } from "../../protocol/c2sp/index.ts";
import { TEST_KEYS } from "../fixtures/keys.ts";
import { sharedControlPlane } from "../harness/control-plane.ts";
import { enc, encEnv, json } from "./run-enc.ts";

const CLUSTER = `tlogcli-${crypto.randomUUID().slice(0, 8)}`;
let home: string;
let owner: Record<string, string>;
let node: Signer;
let url: string;
let container: string;
let prev = GENESIS;
const hashes: string[] = [];

async function submit(count: number): Promise<void> {
  const batch: StepReceipt[] = [];
  for (let i = 0; i < count; i++) {
    const r = await signReceipt(
      { v: 1, cluster: CLUSTER, app: "web", container, op: prev === GENESIS ? "create" : "usage", ts: toIso(Date.now() + i), resource: { cpu_ms: i, memory_mb_s: 0, storage_gb_day: 0, egress_mb: 0 }, labels: {}, prev_hash: prev },
      node,
    );
    prev = r.hash;
    hashes.push(r.hash);
    batch.push(r);
  }
  await new ApiClient({ url, signer: node }).post(routes.receipts(CLUSTER), { receipts: batch });
}

beforeAll(async () => {
  home = mkdtempSync(path.join(tmpdir(), "enc-cli-tlog-"));
  url = (await sharedControlPlane()).url;
  owner = encEnv(home, { ENC_URL: url, ENC_WALLET: path.join(home, "owner", "wallet.json"), ENC_CLUSTER: CLUSTER });
  expect((await enc(["wallet", "new"], owner)).code).toBe(0);
  const created = await enc(["cluster", "create", CLUSTER, "--max-receipts-per-block", "3", "--max-block-window-s", "3600"], owner);
  expect(created.code, created.stderr).toBe(0);
  const w = JSON.parse(readFileSync(owner.ENC_WALLET, "utf8")) as { seed: string };
  const ownerApi = new ApiClient({ url, signer: await signerFromSeed(fromHex(w.seed)) });
  node = await signerFromSeed(generateSeed());
  const { token } = json(await enc(["token", "create", "--json"], owner));
  await new ApiClient({ url, signer: node }).post(routes.nodes(CLUSTER), { token, node_type: "compute", endpoint: "http://127.0.0.1:7001", capabilities: { cpu_cores: 2, memory_gb: 4 } });
  const { replicas } = await ownerApi.post<{ replicas: { id: string }[] }>(routes.workloads(CLUSTER), { name: "web", image: "oci:/x:latest" });
  container = `${replicas[0].id}.1`;
  await submit(6);
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

const remembered = (log: string) => path.join(home, ".config", "enc", "checkpoints", encodeURIComponent(new URL(url).host), `${encodeURIComponent(log)}.checkpoint`);

describe("enc and the transparency logs", () => {
  it("ledger verify and audit --verify prove every entry and remember the checkpoints; the next run checks consistency", async () => {
    const first = await enc(["ledger", "verify", "web"], owner);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`transparency log .*/${CLUSTER}/web: signed checkpoint of 6 entries, the ledger matches its root, 6 entries proved from its tiles`));
    expect(readFileSync(remembered(`${CLUSTER}/web`), "utf8")).toMatch(/\n6\n/);
    await submit(3);
    const second = await enc(["ledger", "verify", "web", "--json"], owner);
    expect(second.code, second.stdout).toBe(0);
    expect(json(second)).toMatchObject({ ok: true, log: { size: 9, proved: 9, consistent_with: 6 } });
    const audit = await enc(["audit", "--verify"], owner);
    expect(audit.code, audit.stdout + audit.stderr).toBe(0);
    expect(audit.stdout).toMatch(new RegExp(`transparency log .*/${CLUSTER}/audit: signed checkpoint of \\d+ entries`));
    expect(existsSync(remembered(`${CLUSTER}/audit`))).toBe(true);
  });

  it("a rollback or a fork against the remembered or given checkpoint fails the run", async () => {
    const notary = await signerFromHex(TEST_KEYS.notary);
    const origin = `enc.localhost/${CLUSTER}/web`;
    // Checkpoints signed by the notary key that the served log does not extend.
    const bigger = await signNoteEd25519(checkpointBody({ origin, size: 100, root: new Uint8Array(32).fill(1) }), origin, notary);
    const forked = await signNoteEd25519(checkpointBody({ origin, size: 4, root: new Uint8Array(32).fill(2) }), origin, notary);
    const good = readFileSync(remembered(`${CLUSTER}/web`), "utf8");
    writeFileSync(remembered(`${CLUSTER}/web`), bigger);
    const rolled = await enc(["ledger", "verify", "web"], owner);
    expect(rolled.code).toBe(1);
    expect(rolled.stdout).toMatch(/rollback: the log now has 9 entries, but a checkpoint of 100 was seen before/);
    expect(readFileSync(remembered(`${CLUSTER}/web`), "utf8")).toBe(bigger); // a failed run does not move it
    writeFileSync(remembered(`${CLUSTER}/web`), good);
    const file = path.join(home, "fork.checkpoint");
    writeFileSync(file, forked);
    const fork = await enc(["ledger", "verify", "web", "--since-checkpoint", file], owner);
    expect(fork.code).toBe(1);
    expect(fork.stdout).toMatch(/fork: the log of 9 entries does not extend the checkpoint of 4 seen before/);
  });

  it("receipts show proves inclusion in the app log", async () => {
    const r = await enc(["receipts", "show", hashes[4], "--json"], owner);
    expect(r.code, r.stdout).toBe(0);
    expect(json(r)).toMatchObject({ ok: true, tlog_inclusion: { index: 4, size: 9 } });
    expect(json(r).checks).toContainEqual(expect.objectContaining({ check: "included in the app log (entry 4)", ok: true }));
  });
});
