// The daemon's durable parts without runc or a control plane: the receipt journal and its
// crash repair, chain heads recovered from the journal, the sender's resend-until-acked and
// quarantine of refused receipts, desired-state verification, restart back-off.
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ApiError } from "../../protocol/api-client.ts";
import { fromHex } from "../../protocol/bytes.ts";
import { signerFromSeed, generateSeed, type Signer } from "../../protocol/ed25519.ts";
import { GENESIS, hashCanonical } from "../../protocol/hash.ts";
import type { StepReceipt } from "../../protocol/schemas.ts";
import { signHash, verifyReceipt } from "../../protocol/signed.ts";
import { AgentError } from "../../node-agent/agent-error.ts";
import type { ControlPlane } from "../../node-agent/daemon/control-plane.ts";
import { verifyDesiredState } from "../../node-agent/daemon/desired-state.ts";
import { DESIRED_STATE_DOMAIN } from "../../protocol/desired-state.ts";
import { silentLogger } from "../../node-agent/daemon/logger.ts";
import { ReceiptChains } from "../../node-agent/daemon/receipt-chains.ts";
import { ReceiptJournal } from "../../node-agent/daemon/receipt-journal.ts";
import { ReceiptSender } from "../../node-agent/daemon/receipt-sender.ts";
import { backoffDelay, nextCrashCount, shouldRestart } from "../../node-agent/daemon/restart-policy.ts";
import { resourceDelta } from "../../node-agent/daemon/usage-meter.ts";
import { TEST_KEYS } from "../fixtures/keys.ts";
import { tempDir } from "./helpers.ts";

let dir: string;
let node: Signer;
beforeEach(async () => {
  dir = tempDir("daemon-spool");
  node = await signerFromSeed(generateSeed());
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function setup() {
  const journal = new ReceiptJournal(path.join(dir, "spool"));
  const chains = new ReceiptChains(path.join(dir, "chains"), "c1", node, (r) => journal.append(r));
  return { journal, chains };
}

/** A stand-in for the control plane's receipts route with the notary's chain rules. */
function fakeNotary() {
  const accepted = new Map<string, StepReceipt>();
  let down = false;
  let calls = 0;
  const cp = {
    async receipts(batch: StepReceipt[]) {
      calls++;
      if (down) throw new AgentError("unreachable", "control plane unreachable (ECONNREFUSED)");
      const staged = new Map<string, StepReceipt>(); // all or nothing, as the notary's transaction
      for (const [i, r] of batch.entries()) {
        if (!(await verifyReceipt(r)).ok) throw new ApiError(422, { detail: `receipt ${i}: bad signature`, field: `receipts[${i}]`, index: i });
        if (accepted.has(r.hash) || staged.has(r.hash)) continue;
        if (r.prev_hash !== GENESIS && !accepted.has(r.prev_hash) && !staged.has(r.prev_hash)) {
          throw new ApiError(422, { detail: `receipt ${i}: unknown predecessor`, field: `receipts[${i}].prev_hash`, index: i });
        }
        staged.set(r.hash, r);
      }
      for (const [h, r] of staged) accepted.set(h, r);
      return { accepted: staged.size, duplicates: batch.length - staged.size };
    },
  };
  return { cp: cp as unknown as ControlPlane, accepted, setDown: (v: boolean) => (down = v), calls: () => calls };
}

describe("receipt chains and the journal", () => {
  it("chains each container's receipts from genesis, signed by the node key", async () => {
    const { journal, chains } = setup();
    for (const op of ["pull", "create", "start", "exit"] as const) await chains.emit("web-1.1", "web", () => ({ op }));
    await chains.emit("web-2.2", "web", () => ({ op: "pull" }));
    const all = [...journal.unackedReceipts()];
    expect(all.map((r) => r.op)).toEqual(["pull", "create", "start", "exit", "pull"]);
    for (const r of all) expect(await verifyReceipt(r)).toEqual({ ok: true });
    expect(all[0]!.prev_hash).toBe(GENESIS);
    for (let i = 1; i < 4; i++) expect(all[i]!.prev_hash).toBe(all[i - 1]!.hash);
    expect(all[4]!.prev_hash).toBe(GENESIS);
    expect(all.every((r) => r.node === node.address && r.cluster === "c1" && r.app === "web")).toBe(true);
    expect(chains.state("web-1.1")).toMatchObject({ count: 4, last_op: "exit", closed: true, head: all[3]!.hash });
    expect(journal.pending).toBe(5);
  });

  it("recovers a head the crash did not save, so the next receipt does not fork", async () => {
    const { chains } = setup();
    await chains.emit("a.1", "a", () => ({ op: "pull" }));
    const stale = fs.readFileSync(path.join(dir, "chains", "a.1.json"));
    await chains.emit("a.1", "a", () => ({ op: "create" }));
    fs.writeFileSync(path.join(dir, "chains", "a.1.json"), stale); // the head write "never happened"
    const again = setup();
    expect(again.chains.recover(again.journal.unackedReceipts())).toBe(1);
    const next = await again.chains.emit("a.1", "a", () => ({ op: "start" }));
    const all = [...again.journal.unackedReceipts()];
    expect(next.prev_hash).toBe(all[1]!.hash);
  });

  it("drops a torn last line left by a crash mid-append and keeps appending cleanly", async () => {
    const { chains } = setup();
    await chains.emit("a.1", "a", () => ({ op: "pull" }));
    const seg = path.join(dir, "spool", fs.readdirSync(path.join(dir, "spool")).find((n) => n.startsWith("seg-"))!);
    fs.appendFileSync(seg, '{"v":1,"cluster":"c1","app":"a","no');
    const again = setup();
    expect(again.journal.pending).toBe(1);
    await again.chains.emit("a.1", "a", () => ({ op: "create" }));
    expect([...again.journal.unackedReceipts()].map((r) => r.op)).toEqual(["pull", "create"]);
  });

  it("acknowledges by position across segments and deletes what is behind", async () => {
    const { journal, chains } = setup();
    const big = "x".repeat(5000);
    for (let i = 0; i < 300; i++) await chains.emit(`c.${i % 7}`, "a", () => ({ op: "usage", labels: { pad: big } }));
    const segs = () => fs.readdirSync(path.join(dir, "spool")).filter((n) => n.startsWith("seg-"));
    expect(segs().length).toBeGreaterThan(1);
    let acked = 0;
    for (let b = journal.batch(100); b; b = journal.batch(100)) {
      acked += b.receipts.length;
      journal.ack(b.end, b.covered);
    }
    expect(acked).toBe(300);
    expect(journal.pending).toBe(0);
    expect(segs().length).toBe(1);
    expect(new ReceiptJournal(path.join(dir, "spool")).pending).toBe(0);
  });
});

describe("the receipt sender", () => {
  it("keeps receipts while the control plane is unreachable and delivers each exactly once after", async () => {
    const { journal, chains } = setup();
    const notary = fakeNotary();
    const sender = new ReceiptSender(journal, path.join(dir, "spool", "inbox"), notary.cp, silentLogger, { batchMax: 3 });
    for (const op of ["pull", "create", "start", "usage", "exit"] as const) await chains.emit("w.1", "w", () => ({ op }));
    notary.setDown(true);
    expect(await sender.sendAll()).toBe(false);
    expect(journal.pending).toBe(5);
    // The "process" restarts: a fresh journal reads the same spool.
    const journal2 = new ReceiptJournal(path.join(dir, "spool"));
    const sender2 = new ReceiptSender(journal2, path.join(dir, "spool", "inbox"), notary.cp, silentLogger, { batchMax: 3 });
    notary.setDown(false);
    expect(await sender2.sendAll()).toBe(true);
    expect(journal2.pending).toBe(0);
    expect(notary.accepted.size).toBe(5);
    expect(sender2.sent).toBe(5);
    expect(await sender2.sendAll()).toBe(true); // nothing resent once acknowledged
    expect(notary.calls()).toBe(1 + 2);
  });

  it("sets aside a receipt the notary refuses and delivers the rest", async () => {
    const { chains } = setup();
    const notary = fakeNotary();
    await chains.emit("ok.1", "w", () => ({ op: "pull" }));
    const bad = await chains.emit("bad.1", "w", () => ({ op: "pull" }));
    await chains.emit("ok.2", "w", () => ({ op: "pull" }));
    // Corrupt the journaled copy of the middle receipt (a bad signature as the notary sees it).
    const seg = path.join(dir, "spool", fs.readdirSync(path.join(dir, "spool")).find((n) => n.startsWith("seg-"))!);
    fs.writeFileSync(seg, fs.readFileSync(seg, "utf8").replace(bad.sig, "ed25519:" + "0".repeat(128)));
    const sender = new ReceiptSender(new ReceiptJournal(path.join(dir, "spool")), path.join(dir, "spool", "inbox"), notary.cp, silentLogger);
    expect(await sender.sendAll()).toBe(true);
    expect([...notary.accepted.values()].map((r) => r.container).sort()).toEqual(["ok.1", "ok.2"]);
    const rejected = fs.readFileSync(path.join(dir, "spool", "rejected.jsonl"), "utf8");
    expect(rejected).toContain(bad.hash);
  });
});

describe("desired state verification", () => {
  async function signed(body: Record<string, unknown>, seedHex = TEST_KEYS.controlPlane) {
    const cp = await signerFromSeed(fromHex(seedHex));
    const hash = hashCanonical(body);
    return { doc: { ...body, hash, sig: await signHash(DESIRED_STATE_DOMAIN, hash, cp) }, cp };
  }
  const body = (nodeAddr: string) => ({
    v: 1, cluster: "c1", node: nodeAddr, version: 3, issued_at: "2026-01-01T00:00:00.000Z",
    replicas: [{ id: "web-1", workload: "web", replica_type: "primary", spec: { name: "web", image: "oci:/img:latest", restart: "on-failure" } }],
    replays: [],
  });

  it("accepts a state signed by the pinned key and fills spec defaults", async () => {
    const { doc, cp } = await signed(body(node.address));
    const ds = await verifyDesiredState(doc, { cluster: "c1", node: node.address, controlPlane: cp.address });
    expect(ds.version).toBe(3);
    expect(ds.replicas[0]!.spec).toMatchObject({ restart: "on-failure", env: {}, cage: { network: "none", determinism: false }, resources: { cpu_millis: 100 } });
  });

  it("refuses a changed body, another key, and states addressed elsewhere", async () => {
    const { doc, cp } = await signed(body(node.address));
    const ctx = { cluster: "c1", node: node.address, controlPlane: cp.address };
    const tampered = { ...doc, replicas: [] };
    await expect(verifyDesiredState(tampered, ctx)).rejects.toThrow(/hash does not match/);
    const other = await signed(body(node.address), "ab".repeat(32));
    await expect(verifyDesiredState(other.doc, ctx)).rejects.toThrow(/not by the pinned control-plane key/);
    const elsewhere = await signed({ ...body(node.address), node: (await signerFromSeed(generateSeed())).address });
    await expect(verifyDesiredState(elsewhere.doc, ctx)).rejects.toThrow(/addressed to node/);
    await expect(verifyDesiredState(doc, { ...ctx, cluster: "c2" })).rejects.toThrow(/addressed to cluster/);
    await expect(verifyDesiredState({ ...doc, sig: "nope" }, ctx)).rejects.toMatchObject({ code: "bad_desired_state" });
  });
});

describe("restart policy, back-off and resource deltas", () => {
  const fail = { exitCode: 3, reason: "exited", ranMs: 100 };
  const ok = { exitCode: 0, reason: "exited", ranMs: 100 };
  it("restarts per policy, never after the agent stopped the container", () => {
    expect([shouldRestart("never", fail, false), shouldRestart("on-failure", fail, false), shouldRestart("on-failure", ok, false), shouldRestart("always", ok, false)]).toEqual([false, true, false, true]);
    expect(shouldRestart("on-failure", { exitCode: 137, reason: "oom", ranMs: 5 }, false)).toBe(true);
    expect(shouldRestart("always", fail, true)).toBe(false);
  });
  it("backs off exponentially up to the cap and resets after a long run", () => {
    const opts = { baseMs: 1000, maxMs: 8000, resetAfterMs: 10_000 };
    expect([0, 1, 2, 3, 4, 10].map((n) => backoffDelay(n, opts))).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    expect(nextCrashCount(3, { ...fail, ranMs: 20_000 }, opts)).toBe(0);
    expect(nextCrashCount(3, fail, opts)).toBe(4);
  });
  it("measures cpu as the cgroup total minus what the chain already counted", () => {
    const s = { container: "x", app: "a", head: GENESIS, count: 2, last_op: "start", last_ms: 1_000_000, cpu_ms: 40, closed: false };
    expect(resourceDelta(s, 1_010_000, { cpuNs: 250e6, memoryBytes: 64 * 1024 * 1024, storageGb: 8.64, running: true })).toEqual({ cpu_ms: 210, memory_mb_s: 640, storage_gb_day: 0.001, egress_mb: 0 });
    expect(resourceDelta(s, 1_010_000, { running: false })).toEqual({ cpu_ms: 0, memory_mb_s: 0, storage_gb_day: 0, egress_mb: 0 });
  });
});
