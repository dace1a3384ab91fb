// Operator tools against the real parts: the Worker (wrangler dev), a real enc-agent and runc.
// `enc exec` runs a command in a replica's container through its agent (signed, role-checked,
// audited, relayed through the signed desired state), and every signed object the CLI prints
// with --json is byte for byte what was signed: hashing it as received verifies.
import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, ApiError } from "../../protocol/api-client.ts";
import { generateSeed, signerFromSeed } from "../../protocol/ed25519.ts";
import { verifyChainHead } from "../../protocol/head.ts";
import { openSocket } from "../../cli-kit/websocket.ts";
import { verifyAuditEntry, verifyLogBlock, verifyReceipt } from "../../protocol/signed.ts";
import { computeHash } from "../../protocol/signing.ts";
import { buildBusyboxImage, type BuiltImage } from "../fixtures/image-builder.ts";
import { cleanup, tempDir } from "../agent/helpers.ts";
import { ROOT, encCli, runAgentOnce, spawnAgent, startCluster, waitFor, type AgentProcess, type TestCluster } from "./agent-harness.ts";

let work: string;
let home: string;
let dataDir: string;
let image: BuiltImage;
let cluster: TestCluster;
let agent: AgentProcess | undefined;
let node: string;
let replica: string;

const enc = (args: string[]) => encCli(cluster, home, args);

/** `enc …` as a child with its stdin open (encCli gives the CLI no stdin). */
function spawnEnc(args: string[]) {
  const env = { PATH: process.env.PATH ?? "", HOME: home, ENC_WALLET: path.join(home, "wallet.json"), ENC_URL: cluster.url, ENC_CLUSTER: cluster.name, NO_COLOR: "1" };
  return spawn(process.execPath, [path.join(ROOT, "bin/enc.mjs"), ...args], { cwd: ROOT, env, stdio: ["pipe", "pipe", "pipe"] });
}

/** `enc …` with `input` on its stdin. */
function encWithInput(args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnEnc(args);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (b) => (stdout += b));
  child.stderr.on("data", (b) => (stderr += b));
  child.stdin.end(input);
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

beforeAll(async () => {
  work = tempDir("e2e-operator");
  home = path.join(work, "home");
  dataDir = path.join(work, "agent");
  image = buildBusyboxImage(path.join(work, "busybox"));
  cluster = await startCluster("ops-e2e");
  const joined = await runAgentOnce(["join", "--url", cluster.url, "--cluster", cluster.name, "--token", await cluster.token(), "--data-dir", dataDir]);
  expect(joined.code, joined.output).toBe(0);
  node = /as node (bpi1[0-9a-z]+)/.exec(joined.output)![1]!;
  agent = spawnAgent(["run", "--data-dir", dataDir, "--heartbeat-s", "1"]);
  await cluster.api.post(`/v1/clusters/${cluster.name}/workloads`, { name: "svc", image: image.ref, command: ["sh", "-c", "echo up; echo state > /tmp/state; exec sleep 3600"] });
  replica = await waitFor("svc to run", async () => {
    const w = await cluster.api.get<{ replicas: { id: string; status: string }[] }>(`/v1/clusters/${cluster.name}/workloads/svc`);
    return w.replicas[0]?.status === "running" && w.replicas[0].id;
  }, 30_000);
});

afterAll(async () => {
  await agent?.kill();
  await cluster?.stop();
  cleanup(dataDir, work);
});

describe("enc exec through the agent", () => {
  it("runs a command in the replica's container: stdout, stderr and exit code come back", async () => {
    const started = Date.now();
    const r = await enc(["exec", replica, "--", "sh", "-c", "cat /tmp/state; echo to-stderr >&2; exit 3"]);
    const ms = Date.now() - started;
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toBe("state\n"); // a file the workload wrote: the same container, not a new one
    expect(r.stderr).toContain("to-stderr");
    // The whole CLI process (node start, signing, the relay, runc exec) on a loaded 2-core machine.
    console.log(`enc exec round trip: ${ms} ms`);
    expect(ms).toBeLessThan(10_000);
  });

  it("passes stdin with -i and reports --json", async () => {
    const r = await encWithInput(["exec", "-i", replica, "--json", "--", "sh", "-c", "tr a-z A-Z"], "hello from stdin\n");
    expect(r.code, r.stderr).toBe(0);
    const { exec } = JSON.parse(r.stdout) as { exec: { status: string; node: string; result: { exit_code: number; stdout: string; container: string } } };
    expect(exec).toMatchObject({ status: "done", node, result: { exit_code: 0 } });
    expect(Buffer.from(exec.result.stdout, "base64").toString()).toBe("HELLO FROM STDIN\n");
    expect(exec.result.container.startsWith(replica + ".")).toBe(true);
  });

  it("relays within about a second: request to answer, measured through the API", async () => {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = Date.now();
      let { exec } = await cluster.api.post<{ exec: { id: string; status: string; result: { exit_code: number } | null } }>(`/v1/clusters/${cluster.name}/execs`, { replica, command: ["true"] });
      while (exec.status !== "done") ({ exec } = await cluster.api.get<typeof exec extends infer E ? { exec: E } : never>(`/v1/clusters/${cluster.name}/execs/${exec.id}?wait=25`));
      expect(exec.result?.exit_code).toBe(0);
      times.push(Date.now() - t0);
    }
    times.sort((x, y) => x - y);
    console.log(`exec relay (POST to answer, runc exec of true included): median ${times[2]} ms, max ${times[4]} ms`);
    expect(times[2]).toBeLessThan(3000);
  });

  it("is audited as ReplicaExec with the command (never stdin)", async () => {
    const { entries } = await cluster.api.get<{ entries: { event: string; actor: string; subject: string; details: Record<string, unknown> }[] }>(`/v1/clusters/${cluster.name}/audit?limit=1000`);
    const execs = entries.filter((e) => e.event === "ReplicaExec");
    expect(execs).toHaveLength(7);
    expect(execs[1]).toMatchObject({ actor: cluster.owner.address, subject: replica, details: { node, workload: "svc", command: ["sh", "-c", "tr a-z A-Z"] } });
    expect(JSON.stringify(execs)).not.toContain("stdin");
  });

  it("refuses what it cannot do, naming the field, and a viewer", async () => {
    const missing = await enc(["exec", "nope-0", "--", "true"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no replica nope-0 in cluster ops-e2e/);
    expect(missing.stderr).toContain("field: replica");
    const noCmd = await enc(["exec", replica]);
    expect(noCmd.code).toBe(2);
    expect(noCmd.stderr).toMatch(/needs a command after `--`/);

    await cluster.api.post(`/v1/clusters/${cluster.name}/workloads`, { name: "done", image: image.ref, command: ["true"] });
    const doneReplica = await waitFor("done to exit", async () => {
      const w = await cluster.api.get<{ replicas: { id: string; status: string }[] }>(`/v1/clusters/${cluster.name}/workloads/done`);
      return w.replicas[0]?.status === "exited" && w.replicas[0].id;
    }, 30_000);
    const exited = await enc(["exec", doneReplica, "--", "true"]);
    expect(exited.code).toBe(1);
    expect(exited.stderr).toMatch(/is not running \(it is exited\)/);

    const seed = generateSeed();
    const viewer = await signerFromSeed(seed);
    await cluster.api.post(`/v1/clusters/${cluster.name}/roles`, { address: viewer.address, role: "viewer" });
    const api = new ApiClient({ url: cluster.url, signer: viewer });
    const refused = await api.post(`/v1/clusters/${cluster.name}/execs`, { replica, command: ["true"] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(403);
    // Only the node itself may answer for it.
    const forged = await api.post(`/v1/clusters/${cluster.name}/nodes/${node}/execs/ex-0000000000000000`, { exit_code: 0 }).catch((e: unknown) => e);
    expect((forged as ApiError).status).toBe(403);
  });

  it("streams a terminal session both ways with -it, and exits with the command's code", async () => {
    const child = spawnEnc(["exec", "-it", replica, "--", "sh"]);
    let out = "";
    let err = "";
    child.stdout.on("data", (b) => (out += b));
    child.stderr.on("data", (b) => (err += b));
    const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
    await waitFor("the shell's prompt", async () => out.includes("# ") || (child.exitCode !== null && Promise.reject(new Error(err))), 60_000);
    // One line in, its answer out, while the session stays open: streamed, not read to the end first.
    child.stdin.write("echo hel''lo-$((6*7))\n");
    await waitFor("the first answer", async () => out.includes("hello-42"), 60_000);
    expect(child.exitCode).toBeNull();
    child.stdin.write("tty; exit 3\n");
    expect(await closed, `${err}\n${out}`).toBe(3);
    expect(out).toMatch(/\/dev\/pts\/\d+/); // a real terminal inside the container
  });

  it("lets only the requester attach to a terminal session, once", async () => {
    const { exec } = await cluster.api.post<{ exec: { id: string; tty: boolean } }>(`/v1/clusters/${cluster.name}/execs`, { replica, command: ["sleep", "30"], tty: true, timeout_s: 60 });
    expect(exec.tty).toBe(true);
    const path_ = `/v1/clusters/${cluster.name}/execs/${exec.id}/attach`;
    const other = await signerFromSeed(generateSeed());
    await cluster.api.post(`/v1/clusters/${cluster.name}/roles`, { address: other.address, role: "operator" });
    const stranger = await openSocket(await new ApiClient({ url: cluster.url, signer: other }).build("GET", path_)).catch((e: { status?: number }) => e);
    expect((stranger as { status?: number }).status).toBe(404);
    let gotReady: (v: boolean) => void = () => {};
    const ready = new Promise<boolean>((resolve) => (gotReady = resolve));
    const ws = await openSocket(await cluster.api.build("GET", path_), (d, binary) => !binary && String(d) === '{"t":"ready"}' && gotReady(true));
    const again = await openSocket(await cluster.api.build("GET", path_)).catch((e: { status?: number }) => e);
    expect((again as { status?: number }).status).toBe(409);
    // Hanging up ends the command: the agent reports it, and the exec is done without an exit code.
    expect(await Promise.race([ready, new Promise((resolve) => setTimeout(() => resolve("no agent within 60 s"), 60_000))])).toBe(true);
    ws.close();
    const done = await waitFor("the exec to end", async () => {
      const r = await cluster.api.get<{ exec: { status: string; result: { exit_code: number | null; error?: string } | null } }>(`/v1/clusters/${cluster.name}/execs/${exec.id}?wait=5`);
      return r.exec.status === "done" && r.exec.result;
    }, 20_000);
    expect(done).toMatchObject({ exit_code: null, error: "the user hung up" });
    // A non-terminal exec has nothing to attach to.
    expect(((await cluster.api.post(`/v1/clusters/${cluster.name}/execs`, { replica, command: ["true"], stdin: "", tty: true }).catch((e: unknown) => e)) as ApiError).status).toBe(422);
  });
});

/** Every object with a `sig` in a CLI --json document, checked as received. */
async function checkSigned(doc: unknown, keys: { control_plane: string; notary: string }): Promise<number> {
  const found: Record<string, unknown>[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") {
      // `sig` (receipts, audit entries, heads) or `sig_notary` (LogBlocks)
      if (Object.keys(v).some((k) => k === "sig" || k.startsWith("sig_"))) found.push(v as Record<string, unknown>);
      else Object.values(v).forEach(walk);
    }
  };
  walk(doc);
  for (const o of found) {
    let res;
    if ("op" in o) res = await verifyReceipt(o);
    else if ("merkle_root" in o) res = await verifyLogBlock(o, keys.notary);
    else if ("event" in o) res = await verifyAuditEntry(o, keys.control_plane);
    else if ("head_hash" in o) res = await verifyChainHead(o, { kind: o.kind as "log" | "audit", cluster: cluster.name, ...(o.app ? { app: o.app as string } : {}), signer: o.kind === "log" ? keys.notary : keys.control_plane });
    else throw new Error(`a signed object of an unknown kind: ${JSON.stringify(o).slice(0, 200)}`);
    expect(res, JSON.stringify(o).slice(0, 300)).toEqual({ ok: true });
    if ("hash" in o) expect(computeHash(o, ["hash", "sig"])).toBe(o.hash);
  }
  return found.length;
}

describe("JSON that verifies", () => {
  it("every signed object printed with --json hashes and verifies as received", async () => {
    const keys = await cluster.api.get<{ control_plane: string; notary: string }>("/v1/keys");
    await waitFor("svc's receipts to reach the notary", async () => (await cluster.api.get<{ pending_receipts: number }>(`/v1/clusters/${cluster.name}/apps/svc/notary`)).pending_receipts >= 3, 20_000);
    const seal = await enc(["ledger", "seal", "svc", "--json"]);
    expect(seal.code, seal.stderr).toBe(0);
    // The notary writes blocks to D1 through its outbox: wait until the ledger shows one.
    await waitFor("a sealed block in the ledger", async () => (await cluster.api.get<{ blocks: unknown[] }>(`/v1/clusters/${cluster.name}/apps/svc/blocks?from_height=1&limit=10`)).blocks.length >= 1, 20_000);
    const list = await enc(["receipts", "list", "svc", "--json"]);
    expect(list.code, list.stderr).toBe(0);
    const items = (JSON.parse(list.stdout) as { receipts: { height: number; receipt: { hash: string } }[] }).receipts;
    expect(items.length).toBeGreaterThanOrEqual(3);
    const runs: [string[], number][] = [
      [["ledger", "seal", "svc", "--json"], 0],
      [["receipts", "list", "svc", "--json"], items.length],
      [["receipts", "show", items[0]!.receipt.hash, "--json"], 2], // the receipt and its block
      [["ledger", "blocks", "svc", "--json"], 1],
      [["ledger", "verify", "svc", "--json"], 1],
      [["audit", "--json"], 5],
      [["audit", "--verify", "--json"], 1],
    ];
    const printed = seal.stdout;
    let total = await checkSigned(JSON.parse(printed), keys);
    for (const [args, atLeast] of runs.slice(1)) {
      const r = await enc(args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      const n = await checkSigned(JSON.parse(r.stdout), keys);
      expect(n, `${args.join(" ")}: ${r.stdout.slice(0, 2000)}`).toBeGreaterThanOrEqual(atLeast);
      total += n;
    }
    expect(total).toBeGreaterThan(10);
  });
});
