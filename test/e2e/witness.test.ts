// Witness round trip (PROTOCOL.md §7) on the real Worker: a cluster configured with two witnesses,
// ENC's own (`enc witness serve`, a real process) and one written here with node:http and
// node:crypto alone (its own note parsing, RFC 6962 consistency check and cosignature/v1
// signing). The notary's app log and the cluster's audit log submit every checkpoint to both;
// the independent witness fails its first answers, so the DO alarm's retry with back-off is what
// gets it cosigned. The served checkpoints carry both cosignatures, and `enc ledger verify` /
// `enc audit --verify` with --witness … --min-witnesses 2 accept them (and refuse an untrusted set).
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import { createServer, type Server } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "../../protocol/api-client.ts";
import { decodeAddress } from "../../protocol/address.ts";
import { generateSeed, signerFromSeed, type Signer } from "../../protocol/ed25519.ts";
import { GENESIS } from "../../protocol/hash.ts";
import { routes } from "../../protocol/routes.ts";
import type { StepReceipt } from "../../protocol/schemas.ts";
import { signReceipt } from "../../protocol/signed.ts";
import { toIso } from "../../protocol/time.ts";
import { ROOT, encCli, startCluster, waitFor, type TestCluster } from "./agent-harness.ts";
import { sharedControlPlane } from "../harness/control-plane.ts";
import { enc, encEnv } from "../cli/run-enc.ts";

const CLUSTER = "witnessed";
const EM = "\u2014";

// ---- the independent witness: node:crypto only ----
const sha = (...parts: Buffer[]) => createHash("sha256").update(Buffer.concat(parts)).digest();
const nodeHash = (l: Buffer, r: Buffer) => sha(Buffer.from([1]), l, r);
const spki = (raw: Buffer) => createPublicKey({ key: Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), raw]), format: "der", type: "spki" });
const rawPub = (k: KeyObject) => createPublicKey(k).export({ format: "der", type: "spki" }).subarray(-32);

/** RFC 9162 §2.1.4.2, written from the RFC for this test. */
function consistent(m: number, n: number, oldRoot: Buffer, newRoot: Buffer, proof: Buffer[]): boolean {
  if (m === n) return proof.length === 0 && oldRoot.equals(newRoot);
  if (m === 0) return proof.length === 0;
  if (proof.length === 0 || m > n) return false;
  const p = (m & (m - 1)) === 0 ? [oldRoot, ...proof] : proof;
  let fn = m - 1;
  let sn = n - 1;
  while (fn & 1) [fn, sn] = [fn >> 1, sn >> 1];
  let fr = p[0];
  let sr = p[0];
  for (const c of p.slice(1)) {
    if (sn === 0) return false;
    if (fn & 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!(fn & 1) && fn !== 0) [fn, sn] = [fn >> 1, sn >> 1];
    } else sr = nodeHash(sr, c);
    [fn, sn] = [fn >> 1, sn >> 1];
  }
  return sn === 0 && fr.equals(oldRoot) && sr.equals(newRoot);
}

class IndieWitness {
  readonly name = "indie.witness.test/w1";
  readonly key = generateKeyPairSync("ed25519").privateKey;
  readonly state = new Map<string, { size: number; root: Buffer }>();
  readonly seen: string[] = [];
  /** Answers 503 to the first submissions, as a witness that is briefly down. */
  failFirst = 2;
  server?: Server;
  constructor(private readonly logs: Map<string, Buffer>) {}

  get vkey(): string {
    const raw = Buffer.concat([Buffer.from([4]), rawPub(this.key)]);
    return `${this.name}+${sha(Buffer.from(this.name + "\n"), raw).subarray(0, 4).toString("hex")}+${raw.toString("base64")}`;
  }

  answer(body: string): [number, string, string] {
    const text = (s: number, t: string, type = "text/plain"): [number, string, string] => [s, t, type];
    const blank = body.indexOf("\n\n");
    const head = body.slice(0, blank).split("\n");
    const note = body.slice(blank + 2);
    const m = /^old (0|[1-9]\d*)$/.exec(head[0]);
    const split = note.lastIndexOf("\n\n");
    if (blank < 0 || !m || split < 0) return text(400, "malformed");
    const old = Number(m[1]);
    const proof = head.slice(1).map((l) => Buffer.from(l, "base64"));
    const cpBody = note.slice(0, split + 1);
    const [origin, sizeText, rootText] = cpBody.split("\n");
    const size = Number(sizeText);
    const root = Buffer.from(rootText, "base64");
    const pub = this.logs.get(origin);
    if (!pub) return text(404, "unknown origin");
    const id = sha(Buffer.from(origin + "\n"), Buffer.from([1]), pub).subarray(0, 4);
    const signed = note
      .slice(split + 2)
      .split("\n")
      .filter((l) => l.startsWith(`${EM} ${origin} `))
      .map((l) => Buffer.from(l.split(" ")[2], "base64"))
      .some((b) => b.subarray(0, 4).equals(id) && verify(null, Buffer.from(cpBody), spki(pub), b.subarray(4)));
    if (!signed) return text(403, "no valid log signature");
    if (old > size) return text(400, "old > size");
    const st = this.state.get(origin) ?? { size: 0, root: sha() };
    if (old !== st.size) return text(409, `${st.size}\n`, "text/x.tlog.size");
    if (!consistent(old, size, st.root, root, proof)) return text(422, "inconsistent");
    this.state.set(origin, { size, root });
    const ts = Math.floor(Date.now() / 1000);
    const t = Buffer.alloc(8);
    t.writeBigUInt64BE(BigInt(ts));
    const sig = sign(null, Buffer.from(`cosignature/v1\ntime ${ts}\n${cpBody}`), this.key);
    const wid = sha(Buffer.from(this.name + "\n"), Buffer.from([4]), rawPub(this.key)).subarray(0, 4);
    return text(200, `${EM} ${this.name} ${Buffer.concat([wid, t, sig]).toString("base64")}\n`);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        this.seen.push(body.split("\n")[0]);
        const [status, text, type] = req.method === "POST" && req.url === "/add-checkpoint" ? (this.failFirst-- > 0 ? [503, "down", "text/plain"] : this.answer(body)) : [404, "", "text/plain"];
        res.writeHead(status, { "content-type": type }).end(text);
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    const a = this.server.address();
    return `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`;
  }
}

// ---- setup ----
let work: string;
let cluster: TestCluster;
let encWitness: ChildProcess;
let encWitnessVkey: string;
let encUrl: string;
let indie: IndieWitness;
let node: Signer;
let appOrigin: string;
let auditOrigin: string;
let prev = GENESIS;

const noteAt = async (p: string) => {
  const res = await fetch(cluster.url + p);
  return res.ok ? res.text() : "";
};
const cosigners = (note: string) =>
  note
    .split("\n")
    .filter((l) => l.startsWith(EM))
    .map((l) => l.split(" ")[1]);

async function submit(app: string, container: string, count: number): Promise<void> {
  const batch: StepReceipt[] = [];
  for (let i = 0; i < count; i++) {
    const r = await signReceipt(
      { v: 1, cluster: CLUSTER, app, container, op: prev === GENESIS ? "create" : "usage", ts: toIso(Date.now() + i), resource: { cpu_ms: i, memory_mb_s: 0, storage_gb_day: 0, egress_mb: 0 }, labels: {}, prev_hash: prev },
      node,
    );
    prev = r.hash;
    batch.push(r);
  }
  await new ApiClient({ url: cluster.url, signer: node }).post(routes.receipts(CLUSTER), { receipts: batch });
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), "enc-e2e-witness-"));
  const cp = await sharedControlPlane();
  const keys = (await (await fetch(`${cp.url}/v1/keys`)).json()) as { notary: string; control_plane: string };
  // The logs' vkeys follow from the published keys and the origins (PROTOCOL.md §6).
  appOrigin = `enc.localhost/${CLUSTER}/web`;
  auditOrigin = `enc.localhost/${CLUSTER}/audit`;
  const logs = new Map([
    [appOrigin, Buffer.from(decodeAddress(keys.notary))],
    [auditOrigin, Buffer.from(decodeAddress(keys.control_plane))],
  ]);
  const vkeyOf = (origin: string) => {
    const raw = Buffer.concat([Buffer.from([1]), logs.get(origin)!]);
    return `${origin}+${sha(Buffer.from(origin + "\n"), raw).subarray(0, 4).toString("hex")}+${raw.toString("base64")}`;
  };
  // ENC's witness, a real process.
  const home = path.join(work, "witness-home");
  const dataDir = path.join(work, "enc-witness");
  const made = await enc(["witness", "keygen", "--name", "enc.witness.test/w1", "--key", path.join(dataDir, "witness-key.json"), "--json"], encEnv(home));
  expect(made.code, made.stderr).toBe(0);
  encWitnessVkey = JSON.parse(made.stdout).vkey;
  encWitness = spawn(process.execPath, [path.join(ROOT, "bin/enc.mjs"), "witness", "serve", "--data-dir", dataDir, "--port", "0", "--log", vkeyOf(appOrigin), "--log", vkeyOf(auditOrigin)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: home },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  encUrl = await waitFor("enc witness serve to listen", () => {
    out += encWitness.stdout!.read()?.toString() ?? "";
    return /listening on (http:\/\/\S+)/.exec(out)?.[1];
  });
  indie = new IndieWitness(logs);
  const indieUrl = await indie.start();
  cluster = await startCluster(CLUSTER, {
    notary: { max_receipts_per_block: 2, max_block_window_s: 3600 },
    allow_private_endpoints: true, // both witnesses listen on loopback
    witnesses: [
      { url: encUrl, vkey: encWitnessVkey },
      { url: indieUrl + "/", vkey: indie.vkey },
    ],
    witness_quorum: 2,
  });
  node = await signerFromSeed(generateSeed());
  await new ApiClient({ url: cluster.url, signer: node }).post(routes.nodes(CLUSTER), {
    token: await cluster.token(), node_type: "compute", endpoint: "http://127.0.0.1:7001", capabilities: { cpu_cores: 2, memory_gb: 4 },
  });
  const { replicas } = await cluster.api.post<{ replicas: { id: string }[] }>(routes.workloads(CLUSTER), { name: "web", image: "oci:/x:latest" });
  await submit("web", `${replicas[0].id}.1`, 2);
  // The log grows only once both witnesses (the independent one after its 503 outage) cosigned
  // size 2: its growth to 4 must then come to them with a consistency proof. Without the wait,
  // a quick second seal let the retry carry size 4 from 0.
  await waitFor("both cosignatures on size 2", async () => {
    const n = await noteAt(routes.appLogCheckpoint(CLUSTER, "web"));
    return n.startsWith(`${appOrigin}\n2\n`) && cosigners(n).length === 3;
  }, 30_000, 200);
  await submit("web", `${replicas[0].id}.1`, 2);
});

afterAll(async () => {
  if (encWitness && encWitness.exitCode === null) {
    const exited = new Promise((r) => encWitness.once("exit", r));
    encWitness.kill("SIGTERM");
    await exited;
  }
  await new Promise((r) => indie?.server?.close(r));
  rmSync(work, { recursive: true, force: true });
});

describe("witness cosigning, both ways", () => {
  it("refuses a witness URL that is not https (or loopback http), and a quorum above the witnesses", async () => {
    const bad = await cluster.api.raw("POST", "/v1/clusters", { name: "witnessed-bad", config: { witnesses: [{ url: "http://witness.example.com", vkey: encWitnessVkey }] } });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { field: string }).field).toBe("config.witnesses[0].url");
    const quorum = await cluster.api.raw("POST", "/v1/clusters", { name: "witnessed-bad", config: { witness_quorum: 1 } });
    expect(((await quorum.json()) as { field: string }).field).toBe("config.witness_quorum");
    const priv = await cluster.api.raw("POST", "/v1/clusters", { name: "witnessed-bad", config: { witnesses: [{ url: "http://127.0.0.1:9", vkey: encWitnessVkey }] } });
    expect([priv.status, ((await priv.json()) as { field: string }).field]).toEqual([422, "config.witnesses[0].url"]);
    const vkey = await cluster.api.raw("POST", "/v1/clusters", { name: "witnessed-bad", config: { witnesses: [{ url: "https://w.example.com", vkey: "x+00000000+AA==" }] } });
    expect(((await vkey.json()) as { field: string }).field).toBe("config.witnesses[0].vkey");
  });

  it("serves the app log's checkpoint with both cosignatures once they arrive (after the independent witness's outage)", async () => {
    const note = await waitFor("both cosignatures on the app checkpoint of size 4", async () => {
      const n = await noteAt(routes.appLogCheckpoint(CLUSTER, "web"));
      return n.startsWith(`${appOrigin}\n4\n`) && cosigners(n).length === 3 && n;
    }, 30_000, 200);
    expect(cosigners(note)).toEqual([appOrigin, "enc.witness.test/w1", indie.name]);
    // Its first two answers were 503: the cosignature came from a later attempt (alarm retry).
    expect(indie.failFirst).toBeLessThan(0);
    expect(indie.state.get(appOrigin)?.size).toBe(4);
    expect(indie.seen.filter((l) => l === "old 0").length).toBeGreaterThanOrEqual(1);
    expect(indie.seen.some((l) => /^old [1-9]/.test(l))).toBe(true); // growth came with a consistency proof
    const info = await (await fetch(cluster.url + routes.appLog(CLUSTER, "web"))).json();
    expect(info).toMatchObject({ origin: appOrigin, witnesses: [encWitnessVkey, indie.vkey] });
  });

  it("serves the audit log's checkpoint cosigned by both witnesses", async () => {
    await waitFor("both cosignatures on the audit checkpoint", async () => cosigners(await noteAt(routes.auditLogCheckpoint(CLUSTER))).length === 3, 30_000, 200);
    expect(indie.state.get(auditOrigin)!.size).toBeGreaterThan(1);
  });

  it("ENC's witness answers a stale old size with 409 and the size it cosigned", async () => {
    const note = await noteAt(routes.appLogCheckpoint(CLUSTER, "web"));
    const res = await fetch(`${encUrl}/add-checkpoint`, { method: "POST", body: `old 0\n\n${note}` });
    expect([res.status, res.headers.get("content-type"), await res.text()]).toEqual([409, "text/x.tlog.size", "4\n"]);
  });

  it("enc ledger verify and enc audit --verify accept the quorum of cosignatures, and refuse an untrusted set", async () => {
    const home = path.join(work, "owner");
    const both = ["--witness", encWitnessVkey, "--witness", indie.vkey, "--min-witnesses", "2"];
    const ledger = await encCli(cluster, home, ["ledger", "verify", "web", ...both]);
    expect(ledger.code, ledger.stdout + ledger.stderr).toBe(0);
    expect(ledger.stdout).toMatch(/Checkpoint of size 4 cosigned by enc\.witness\.test\/w1 \(.*\), indie\.witness\.test\/w1/);
    const audit = await encCli(cluster, home, ["audit", "--verify", ...both, "--json"]);
    expect(audit.code, audit.stdout + audit.stderr).toBe(0);
    expect(JSON.parse(audit.stdout).witnessed.cosigned).toHaveLength(2);
    // A witness the log never used: one valid cosignature of the two required.
    const stranger = generateKeyPairSync("ed25519").privateKey;
    const raw = Buffer.concat([Buffer.from([4]), rawPub(stranger)]);
    const strangerVkey = `stranger.test/w+${sha(Buffer.from("stranger.test/w\n"), raw).subarray(0, 4).toString("hex")}+${raw.toString("base64")}`;
    const short = await encCli(cluster, home, ["ledger", "verify", "web", "--witness", encWitnessVkey, "--witness", strangerVkey, "--min-witnesses", "2"]);
    expect(short.code).toBe(1);
    expect(short.stdout).toContain("1 valid cosignature of the 2 required");
    const usage = await encCli(cluster, home, ["ledger", "verify", "web", "--witness", encWitnessVkey, "--min-witnesses", "2"]);
    expect(usage.code).toBe(2);
  });
});
