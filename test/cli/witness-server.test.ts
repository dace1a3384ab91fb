// `enc witness serve` as a real process, fed by a transparency log that is NOT ENC's: the log
// below is written here with node:crypto only (its own RFC 6962 hashing, consistency proofs,
// signed-note signing), so the witness is checked against an independent implementation of
// C2SP tlog-checkpoint / tlog-witness, and its cosignatures are verified with node:crypto too. A
// second log is made by Go's reference code (golang.org/x/mod/sumdb/note and tlog, built from
// test/fixtures/go-witness-log).
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createHash, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enc, encEnv, json } from "./run-enc.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const EM = "\u2014";

// ---- an independent log: node:crypto SHA-256 and Ed25519 ----
const sha = (...parts: Buffer[]) => createHash("sha256").update(Buffer.concat(parts)).digest();
const leaf = (e: string) => sha(Buffer.from([0]), Buffer.from(e));
const node = (l: Buffer, r: Buffer) => sha(Buffer.from([1]), l, r);
const split = (n: number) => 2 ** Math.floor(Math.log2(n - 1)); // largest power of two < n
function mth(h: Buffer[]): Buffer {
  if (h.length === 0) return sha();
  if (h.length === 1) return h[0];
  const k = split(h.length);
  return node(mth(h.slice(0, k)), mth(h.slice(k)));
}
// RFC 6962 §2.1.2 SUBPROOF, written from the RFC text.
function subproof(m: number, d: Buffer[], b: boolean): Buffer[] {
  const n = d.length;
  if (m === n) return b ? [] : [mth(d)];
  const k = split(n);
  return m <= k ? [...subproof(m, d.slice(0, k), b), mth(d.slice(k))] : [...subproof(m - k, d.slice(k), false), mth(d.slice(0, k))];
}
const rawPub = (k: KeyObject) => createPublicKey(k).export({ format: "der", type: "spki" }).subarray(-32);

class OtherLog {
  readonly leaves: Buffer[] = [];
  readonly key = generateKeyPairSync("ed25519").privateKey;
  constructor(readonly origin: string) {}
  get keyId(): Buffer {
    return sha(Buffer.from(this.origin + "\n"), Buffer.from([1]), rawPub(this.key)).subarray(0, 4);
  }
  get vkey(): string {
    return `${this.origin}+${this.keyId.toString("hex")}+${Buffer.concat([Buffer.from([1]), rawPub(this.key)]).toString("base64")}`;
  }
  append(...entries: string[]): this {
    for (const e of entries) this.leaves.push(leaf(e));
    return this;
  }
  body(size = this.leaves.length, root = mth(this.leaves.slice(0, size))): string {
    return `${this.origin}\n${size}\n${root.toString("base64")}\n`;
  }
  note(size = this.leaves.length, key: KeyObject = this.key): string {
    const body = this.body(size);
    const sig = sign(null, Buffer.from(body), key);
    return `${body}\n${EM} ${this.origin} ${Buffer.concat([this.keyId, sig]).toString("base64")}\n`;
  }
  proof(from: number, to = this.leaves.length): Buffer[] {
    return from === 0 ? [] : subproof(from, this.leaves.slice(0, to), true);
  }
  request(old: number, size = this.leaves.length, proof = this.proof(old, size)): string {
    return `old ${old}\n${proof.map((p) => p.toString("base64") + "\n").join("")}\n${this.note(size)}`;
  }
}

/** Verifies a cosignature/v1 line with node:crypto alone; returns its timestamp. */
function checkCosignature(line: string, witnessVkey: string, body: string): number {
  // Split at the first two '+': the base64 key may contain more.
  const [name, idHex, keyB64] = /^([^+]+)\+([^+]+)\+(.+)$/.exec(witnessVkey)!.slice(1);
  const m = new RegExp(`^${EM} (\\S+) (\\S+)\\n$`).exec(line);
  expect(m, line).not.toBeNull();
  expect(m![1]).toBe(name);
  const blob = Buffer.from(m![2], "base64");
  expect(blob.length).toBe(76);
  expect(blob.subarray(0, 4).toString("hex")).toBe(idHex);
  const raw = Buffer.from(keyB64, "base64");
  expect(raw[0]).toBe(0x04);
  expect(sha(Buffer.from(name + "\n"), raw).subarray(0, 4).toString("hex")).toBe(idHex);
  const ts = Number(blob.readBigUInt64BE(4));
  const pub = createPublicKey({ key: Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), raw.subarray(1)]), format: "der", type: "spki" });
  expect(verify(null, Buffer.from(`cosignature/v1\ntime ${ts}\n${body}`), pub, blob.subarray(12))).toBe(true);
  return ts;
}

// ---- the witness process ----
let home: string;
let dataDir: string;
let witnessVkey: string;
let proc: ChildProcess | undefined;
let url: string;
const log = new OtherLog("sigsum.example.org/other-log");
const stranger = new OtherLog("unknown.example/log");

async function startWitness(logVkey = log.vkey, dir = dataDir): Promise<void> {
  if (proc) await stopWitness("SIGTERM"); // one at a time, even after a failed test
  const child = spawn(process.execPath, [path.join(ROOT, "bin/enc.mjs"), "witness", "serve", "--data-dir", dir, "--port", "0", "--log", logVkey, "--key", path.join(dataDir, "witness-key.json")], {
    cwd: ROOT,
    env: encEnv(home),
    stdio: ["ignore", "pipe", "pipe"],
  });
  proc = child;
  let out = "";
  let err = "";
  child.stderr!.on("data", (d) => (err += d));
  url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once("exit", (code) => reject(new Error(`witness exited ${code}: ${out}\n${err}`)));
  });
}

async function stopWitness(signal: NodeJS.Signals): Promise<number | null> {
  const child = proc!;
  proc = undefined;
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  child.kill(signal);
  return exited;
}

async function add(body: string): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(`${url}/add-checkpoint`, { method: "POST", body });
  return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
}

beforeAll(async () => {
  home = mkdtempSync(path.join(tmpdir(), "enc-witness-"));
  dataDir = path.join(home, "witness");
  const made = await enc(["witness", "keygen", "--name", "witness.test/w1", "--key", path.join(dataDir, "witness-key.json"), "--json"], encEnv(home));
  expect(made.code, made.stderr).toBe(0);
  witnessVkey = json(made).vkey;
  await startWitness();
});

afterAll(async () => {
  if (proc) await stopWitness("SIGTERM");
  rmSync(home, { recursive: true, force: true });
});

describe("enc witness keygen / vkey", () => {
  it("writes a 0600 key file whose vkey `enc witness vkey` prints", async () => {
    const file = path.join(dataDir, "witness-key.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, "utf8")).not.toContain(witnessVkey.slice(witnessVkey.indexOf("+", witnessVkey.indexOf("+") + 1) + 1)); // the seed, not the public key
    const shown = await enc(["witness", "vkey", "--key", file], encEnv(home));
    expect(shown.stdout.trim()).toBe(witnessVkey);
    expect(witnessVkey).toMatch(/^witness\.test\/w1\+[0-9a-f]{8}\+/);
    const again = await enc(["witness", "keygen", "--name", "witness.test/w1", "--key", file], encEnv(home));
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("already exists");
  });

  it("refuses a --log that is not a note vkey, naming it", async () => {
    const r = await enc(["witness", "serve", "--data-dir", dataDir, "--log", witnessVkey], encEnv(home));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("0x01");
  });
});

describe("enc witness serve, with a log made by other code", () => {
  it("cosigns the first checkpoint (old 0) with a cosignature node:crypto verifies", async () => {
    log.append("a", "b", "c");
    const r = await add(log.request(0));
    expect(r.status, r.text).toBe(200);
    expect(r.type).toMatch(/^text\/plain/);
    const ts = checkCosignature(r.text, witnessVkey, log.body());
    expect(Math.abs(ts - Date.now() / 1000)).toBeLessThan(60);
  });

  it("cosigns a grown tree given the consistency proof from the size it cosigned", async () => {
    log.append("d", "e");
    const r = await add(log.request(3));
    expect(r.status, r.text).toBe(200);
    checkCosignature(r.text, witnessVkey, log.body());
  });

  it("answers a stale old size with 409, text/x.tlog.size and its size", async () => {
    log.append("f");
    for (const old of [0, 3, 4]) {
      const r = await add(log.request(old));
      expect(r.status).toBe(409);
      expect(r.type).toBe("text/x.tlog.size");
      expect(r.text).toBe("5\n");
    }
  });

  it("refuses an inconsistent tree with 422 and keeps its state", async () => {
    // A fork: the same origin and key, but entry 2 rewritten, then grown past 5.
    const fork = Object.assign(new OtherLog(log.origin), { key: log.key });
    fork.append("a", "b", "X", "d", "e", "f", "g");
    const r = await add(fork.request(5, 7, fork.proof(5, 7)));
    expect(r.status, r.text).toBe(422);
    // Same size, another root.
    const same = await add(fork.request(5, 5, []));
    expect(same.status).toBe(422);
    // A proof that does not prove (the honest log's proof, bent).
    const bent = log.proof(5, 6).map((h, i) => (i === 0 ? sha(h) : h));
    expect((await add(log.request(5, 6, bent))).status).toBe(422);
    // A grown tree without any proof.
    expect((await add(log.request(5, 6, []))).status).toBe(422);
    // Still at 5: the honest continuation is cosigned.
    const ok = await add(log.request(5));
    expect(ok.status, ok.text).toBe(200);
    checkCosignature(ok.text, witnessVkey, log.body());
  });

  it("never cosigns a smaller tree: old above the size is 400, the true old is 409", async () => {
    expect((await add(log.request(6, 4, []))).status).toBe(400);
    const r = await add(log.request(4, 4, []));
    expect([r.status, r.text]).toEqual([409, "6\n"]);
  });

  it("answers 404 for an unknown origin, 403 for a bad or missing log signature, 400 for a malformed body", async () => {
    stranger.append("x");
    expect((await add(stranger.request(0))).status).toBe(404);
    const other = generateKeyPairSync("ed25519").privateKey;
    const forged = `old 6\n\n${log.note(6, other)}`; // right key name and id, wrong signer
    expect((await add(forged)).status).toBe(403);
    expect((await add(`old 6\n\n${log.body(6)}\n${EM} someone.else AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n`)).status).toBe(403);
    for (const bad of ["", "old x\n\n" + log.note(), "old 6\n" + log.note(), "old 6\nnope\n\n" + log.note(), `old 6\n\n${log.body(6)}`]) {
      expect((await add(bad)).status, JSON.stringify(bad)).toBe(400);
    }
    const get = await fetch(`${url}/add-checkpoint`);
    expect(get.status).toBe(405);
  });

  it("serializes one origin's requests: of two racing from the same old size, one wins and one gets 409", async () => {
    log.append("g", "h");
    const [a, b] = await Promise.all([add(log.request(6, 7)), add(log.request(6, 8))]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const won = a.status === 200 ? 7 : 8;
    expect((a.status === 409 ? a : b).text).toBe(`${won}\n`);
    if (won === 7) expect((await add(log.request(7, 8))).status).toBe(200);
  });

  it("keeps its state across a crash (SIGKILL) and serves the cosigned checkpoint to monitors", async () => {
    expect(await stopWitness("SIGKILL")).toBeNull();
    await startWitness();
    const r = await add(log.request(0));
    expect([r.status, r.text]).toEqual([409, "8\n"]);
    const originHash = createHash("sha256").update(log.origin).digest("hex");
    const mon = await fetch(`${url}/${originHash}/checkpoint`);
    expect(mon.status).toBe(200);
    const note = await mon.text();
    expect(note.startsWith(log.body(8) + "\n")).toBe(true);
    const line = note.split("\n").filter((l) => l.startsWith(`${EM} witness.test/w1 `))[0] + "\n";
    checkCosignature(line, witnessVkey, log.body(8));
    expect((await fetch(`${url}/${"0".repeat(64)}/checkpoint`)).status).toBe(404);
    expect(await stopWitness("SIGTERM")).toBe(0);
  });
});

describe("enc witness serve, with a log made by Go's golang.org/x/mod/sumdb/note and tlog", () => {
  it("cosigns the Go log's checkpoints as it grows (tlog.ProveTree proofs) and refuses a stale or bent request", async () => {
    // test/fixtures/go-witness-log: Go's reference signed-note and tlog code builds the log and its proofs.
    const bin = path.join(home, "go-witness-log");
    execFileSync("go", ["build", "-o", bin, "."], {
      cwd: path.join(ROOT, "test/fixtures/go-witness-log"),
      env: { ...process.env, GO111MODULE: "off", GOPATH: "/usr/share/gocode", GOCACHE: path.join(home, "go-cache"), GOFLAGS: "" },
    });
    const go = JSON.parse(execFileSync(bin, ["go.example.org/log", "3", "7", "8"], { encoding: "utf8" })) as { vkey: string; requests: string[] };
    await startWitness(go.vkey, path.join(home, "go-witness"));
    try {
      const cosigned = async (req: string) => {
        const r = await add(req);
        expect(r.status, r.text).toBe(200);
        checkCosignature(r.text, witnessVkey, req.slice(req.indexOf("\n\n") + 2).split("\n\n")[0] + "\n");
      };
      await cosigned(go.requests[0]); // 0 -> 3
      await cosigned(go.requests[1]); // 3 -> 7, with Go's proof
      // Go's 7 -> 8 proof with its first hash bent.
      const bent = go.requests[2].replace(/^old 7\n([^\n]+)/, (_, h: string) => `old 7\n${Buffer.from(sha(Buffer.from(h, "base64"))).toString("base64")}`);
      expect(bent).not.toBe(go.requests[2]);
      expect((await add(bent)).status).toBe(422);
      await cosigned(go.requests[2]); // 7 -> 8
      expect(await add(go.requests[1])).toMatchObject({ status: 409, text: "8\n" });
    } finally {
      await stopWitness("SIGTERM");
    }
  }, 120_000);
});
