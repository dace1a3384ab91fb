// Shared by the agent daemon and end-to-end tests: a real control plane with a cluster owned by
// a fresh wallet, join tokens, enc-agent processes with captured output, and polling helpers.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ApiClient } from "../../protocol/api-client.ts";
import { toHex } from "../../protocol/bytes.ts";
import { generateSeed, signerFromSeed, type Signer } from "../../protocol/ed25519.ts";
import { verifyAppLedger, type VerifyReport } from "../../protocol/ledger-verify.ts";
import type { StepReceipt } from "../../protocol/schemas.ts";
import { apiLedgerSource } from "../../cli/lib/ledger-source.ts";
import { sharedControlPlane, testControlPlane } from "../harness/control-plane.ts";
import { enc, type EncResult } from "../cli/run-enc.ts";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const AGENT_BIN = path.join(ROOT, "bin/enc-agent.mjs");

export interface TestCluster {
  url: string;
  name: string;
  owner: Signer;
  /** hex seed of the owner's key, for a wallet file the enc CLI can use */
  ownerSeed: string;
  api: ApiClient;
  token(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A cluster owned by a fresh wallet, on the run's shared Worker (wrangler dev): `name` must be
 * unique across the node project. `fresh` starts a Worker of its own instead.
 */
export async function startCluster(name = "c1", config: Record<string, unknown> = {}, fresh = false): Promise<TestCluster> {
  const cp = fresh ? await testControlPlane() : await sharedControlPlane();
  const seed = generateSeed();
  const owner = await signerFromSeed(seed);
  const api = new ApiClient({ url: cp.url, signer: owner });
  await api.post("/v1/clusters", { name, config });
  return {
    url: cp.url,
    name,
    owner,
    ownerSeed: toHex(seed),
    api,
    token: async () => (await api.post<{ token: string }>(`/v1/clusters/${name}/join-tokens`, {})).token,
    stop: cp.stop,
  };
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface AgentProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /** SIGTERM and wait for the exit code */
  stop(): Promise<number | null>;
  kill(): Promise<void>;
}

/** Runs `enc-agent <args>` as a real process (bin/enc-agent.mjs). */
export function spawnAgent(args: string[], echo = process.env.ENC_TEST_ECHO === "1"): AgentProcess {
  const child = spawn(process.execPath, [AGENT_BIN, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
  let out = "";
  const onData = (b: Buffer) => {
    out += b.toString();
    if (echo) process.stderr.write(b.toString().replace(/^(?=.)/gm, "[agent] "));
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    output: () => out,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return exited;
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

/** Runs the `enc` CLI (its built main(), test/cli/run-enc.ts) as the cluster owner; resolves with its exit code and output. */
export function encCli(c: TestCluster, home: string, args: string[]): Promise<EncResult> {
  const wallet = path.join(home, "wallet.json");
  if (!fs.existsSync(wallet)) {
    fs.mkdirSync(home, { recursive: true });
    fs.writeFileSync(wallet, JSON.stringify({ version: 1, address: c.owner.address, seed: c.ownerSeed, created: new Date().toISOString() }), { mode: 0o600 });
  }
  return enc(args, { PATH: process.env.PATH ?? "", HOME: home, ENC_WALLET: wallet, ENC_URL: c.url, ENC_CLUSTER: c.name, NO_COLOR: "1" });
}

/** `enc-agent <args>` to completion. */
export async function runAgentOnce(args: string[]): Promise<{ code: number | null; output: string }> {
  const p = spawnAgent(args);
  const code = await p.exited;
  return { code, output: p.output() };
}

/** Seals everything pending for `app`, then returns every sealed receipt and the verifier's report. */
export async function sealAndVerify(c: TestCluster, app: string): Promise<{ receipts: StepReceipt[]; report: VerifyReport }> {
  while ((await c.api.post(`/v1/clusters/${c.name}/apps/${app}/seal`)) !== null) {
    // one block per call: seal until the notary answers 204 (nothing pending)
  }
  const src = apiLedgerSource(c.api, c.name, app);
  const receipts: StepReceipt[] = [];
  for (const b of await src.blocks(1, 1000)) receipts.push(...(await src.blockReceipts(b.height)));
  const { notary } = await c.api.get<{ notary: string }>("/v1/keys");
  return { receipts, report: await verifyAppLedger(src, notary) };
}

export const notaryStats = (c: TestCluster, app: string) =>
  c.api.get<{ pending_receipts: number; current_height: number }>(`/v1/clusters/${c.name}/apps/${app}/notary`);

/** Receipts grouped per container, each group in chain order (checked: genesis first, no fork, no gap). */
export function chains(receipts: StepReceipt[]): Map<string, StepReceipt[]> {
  const byContainer = new Map<string, StepReceipt[]>();
  for (const r of receipts) byContainer.set(r.container, [...(byContainer.get(r.container) ?? []), r]);
  const out = new Map<string, StepReceipt[]>();
  for (const [container, rs] of byContainer) {
    const next = new Map<string, StepReceipt>();
    for (const r of rs) {
      if (next.has(r.prev_hash)) throw new Error(`fork in ${container} after ${r.prev_hash}`);
      next.set(r.prev_hash, r);
    }
    const ordered: StepReceipt[] = [];
    for (let r = next.get("blake3:genesis"); r; r = next.get(r.hash)) ordered.push(r);
    if (ordered.length !== rs.length) throw new Error(`chain of ${container} is broken: ${ordered.length} of ${rs.length} receipts linked from genesis`);
    out.set(container, ordered);
  }
  return out;
}
