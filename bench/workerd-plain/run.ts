// Runs bench/workerd-plain/worker.ts under `wrangler dev` (plain workerd, the product's NotaryDO
// class) and answers its ingest figures; with `profile`, also a V8 CPU profile of the Worker's
// isolate taken through the inspector around the run, and its self time inside NotaryDO.admitVerified
// (the DO's part) and inside verifyThenAdmit (the Worker's verification).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import WebSocket from "ws";
import { freePort, ROOT, startControlPlane } from "../../scripts/lib/control-plane.ts";
import { createServer } from "node:http";
import type { IngestFigures } from "../notary-ingest.ts";
import type { DeployFigures } from "../scheduler-deploys.ts";

export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** A minimal Chrome DevTools Protocol client: Profiler.start / stop around `during`. */
export async function profiled<T>(inspector: string, during: () => Promise<T>): Promise<{ value: T; profile: CpuProfile }> {
  const ws = new WebSocket(inspector);
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  let id = 0;
  const waiting = new Map<number, (result: unknown) => void>();
  ws.on("message", (m) => {
    const d = JSON.parse(m.toString()) as { id?: number; result?: unknown };
    if (d.id !== undefined) waiting.get(d.id)?.(d.result);
  });
  const send = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve) => {
      waiting.set(++id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  try {
    await send("Profiler.enable");
    await send("Profiler.setSamplingInterval", { interval: 100 });
    await send("Profiler.start");
    const value = await during();
    const { profile } = (await send("Profiler.stop")) as { profile: CpuProfile };
    return { value, profile };
  } finally {
    ws.close();
  }
}

/** A fresh 32-byte key seed in hex, for a bench Worker's secrets. */
const randomKey = () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("hex");

/** A profile's nodes by id, and each node's parent. */
function profileTree(p: CpuProfile) {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  return { byId, parent };
}

/** Self time (ms) by function within the frames under `root`, the largest first. */
export function selfTimeUnder(p: CpuProfile, root: string): { total: number; under: number; top: [string, number][] } {
  const { byId, parent } = profileTree(p);
  const self = new Map<number, number>();
  p.samples.forEach((s, i) => self.set(s, (self.get(s) ?? 0) + (p.timeDeltas[i + 1] ?? 0) / 1000));
  const under = (id: number) => {
    for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) if (byId.get(x)!.callFrame.functionName === root) return true;
    return false;
  };
  let total = 0;
  let inRoot = 0;
  const agg = new Map<string, number>();
  for (const [id, ms] of self) {
    total += ms;
    if (!under(id)) continue;
    inRoot += ms;
    const f = byId.get(id)!.callFrame;
    const name = f.functionName || "(anonymous)";
    agg.set(name, (agg.get(name) ?? 0) + ms);
  }
  return { total, under: inRoot, top: [...agg].sort((a, b) => b[1] - a[1]) };
}

/** Self time (ms) by function and source line within the frames under `root` (for the engine's hot lines). */
export function selfTimeByLine(p: CpuProfile, root: string): Map<string, number> {
  const { byId, parent } = profileTree(p);
  const out = new Map<string, number>();
  p.samples.forEach((s, i) => {
    for (let x: number | undefined = s; x !== undefined; x = parent.get(x)) {
      if (byId.get(x)!.callFrame.functionName !== root) continue;
      const f = byId.get(s)!.callFrame;
      const key = `${f.functionName || "(anonymous)"} ${f.url.split("/").slice(-2).join("/")}:${f.lineNumber + 1}`;
      out.set(key, (out.get(key) ?? 0) + (p.timeDeltas[i + 1] ?? 0) / 1000);
      return;
    }
  });
  return out;
}

/**
 * The ClusterDO deploy bench (bench/scheduler-deploys.ts) in plain workerd, `rounds` times in one
 * isolate; with `profile`, the last round runs under the CPU profiler and the profile is returned.
 */
export async function plainDeploys(algorithm: string, opts: { rounds?: number; profile?: boolean; deploys?: number } = {}): Promise<{ figures: DeployFigures[]; profile?: CpuProfile }> {
  const dir = mkdtempSync(path.join(tmpdir(), "enc-bench-plain-"));
  const inspectorPort = await freePort();
  const cp = await startControlPlane({ config: path.join(ROOT, "bench/workerd-plain/wrangler.toml"), persistTo: dir, inspectorPort, vars: { NOTARY_KEY: randomKey(), CONTROL_PLANE_KEY: randomKey() } });
  try {
    const run = async () => {
      const res = await fetch(`${cp.url}/deploy?algorithm=${algorithm}&deploys=${opts.deploys ?? 10}`);
      if (!res.ok) throw new Error(`plain-workerd deploy bench answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as DeployFigures;
    };
    const figures: DeployFigures[] = [];
    for (let r = 0; r < (opts.rounds ?? 2) - (opts.profile ? 1 : 0); r++) figures.push(await run());
    if (!opts.profile) return { figures };
    const { value, profile } = await profiled(`ws://127.0.0.1:${inspectorPort}/ws`, run);
    figures.push(value);
    return { figures, profile };
  } finally {
    await cp.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function plainIngest(opts: { profile?: string } = {}): Promise<IngestFigures & { profile?: ReturnType<typeof selfTimeUnder>; front?: ReturnType<typeof selfTimeUnder> }> {
  const dir = mkdtempSync(path.join(tmpdir(), "enc-bench-plain-"));
  const inspectorPort = await freePort();
  const cp = await startControlPlane({
    config: path.join(ROOT, "bench/workerd-plain/wrangler.toml"),
    persistTo: dir,
    inspectorPort,
    vars: { NOTARY_KEY: randomKey() },
  });
  try {
    const run = async () => {
      const res = await fetch(`${cp.url}/ingest`);
      if (!res.ok) throw new Error(`plain-workerd ingest bench answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as IngestFigures;
    };
    await run(); // warm-up: the isolate's first run compiles what the second measures
    if (!opts.profile) return await run();
    const { value, profile } = await profiled(`ws://127.0.0.1:${inspectorPort}/ws`, run);
    writeFileSync(opts.profile, JSON.stringify(profile));
    // The DO's part (admitVerified) and the whole path the route takes (verifyThenAdmit, whose
    // samples include the Worker's verification; the DO's run on the same thread, outside it).
    return { ...value, profile: selfTimeUnder(profile, "admitVerified"), front: selfTimeUnder(profile, "verifyThenAdmit") };
  } finally {
    await cp.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The workerd processes under `pid` (wrangler's children), for their CPU time. */
function workerdUnder(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const p of readdirSync("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const st = readFileSync(`/proc/${p}/stat`, "utf8");
      const ppid = Number(st.slice(st.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(p)]);
    } catch {
      // gone meanwhile
    }
  }
  const all: number[] = [];
  const walk = (p: number) => (children.get(p) ?? []).forEach((c) => (all.push(c), walk(c)));
  walk(pid);
  const isWorkerd = (p: number) => {
    try {
      return readFileSync(`/proc/${p}/comm`, "utf8").trim() === "workerd";
    } catch {
      return false; // exited meanwhile
    }
  };
  return all.filter(isWorkerd);
}

/** CPU time (ms) of `pids` so far, all their threads, from the scheduler's ns counters. */
function cpuMs(pids: number[]): number {
  let ns = 0;
  for (const p of pids) {
    for (const t of readdirSync(`/proc/${p}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${p}/task/${t}/schedstat`, "utf8").split(" ")[0]);
      } catch {
        // a thread that ended meanwhile
      }
    }
  }
  return ns / 1e6;
}

export interface SplitFigures extends IngestFigures {
  /** CPU of the front's process per verification of the reference (the rounds' verify rounds). */
  verify_cpu_us: number;
  /**
   * CPU of the DO's process per receipt during the rounds' submits only (the span ingest_per_s
   * times; D1 drains are outside it): admitVerified, the RPC and the dev registry's transport,
   * the relay. What the DO's thread could sustain apart, over the verify rate, is
   * `verify_cpu_us / submit_back_cpu_us_per_receipt` (both CPU time, so the host's load does not
   * enter it as it enters the wall-clock rates).
   */
  submit_back_cpu_us_per_receipt: number;
  /** The same for the front's process: verifyThenAdmit's verification and its side of the RPC. */
  submit_front_cpu_us_per_receipt: number;
  /** CPU of the DO's workerd process (its Worker, the relay, the NotaryDO, D1) per receipt. */
  back_cpu_us_per_receipt: number;
  /** CPU of the front's workerd process (verification, the reference verifies, the chains' signing) per receipt. */
  front_cpu_us_per_receipt: number;
}

/**
 * The same ingest with the verification in another workerd process than the NotaryDO: the front
 * (bench/workerd-split/) runs verifyThenAdmit and reaches the DO in the back (this directory's
 * Worker, through its NotaryRelay) by wrangler's dev registry, private to this run. As production
 * runs the route's Workers on other threads and machines than the app's NotaryDO.
 */
export async function splitIngest(opts: { profile?: string } = {}): Promise<SplitFigures & { profile?: ReturnType<typeof selfTimeUnder> }> {
  const dir = mkdtempSync(path.join(tmpdir(), "enc-bench-split-"));
  // A registry of this run's own: the front finds this back, not another helper's session.
  const env = { WRANGLER_REGISTRY_PATH: path.join(dir, "registry") };
  const inspectorPort = await freePort();
  const stops: (() => Promise<void>)[] = [];
  try {
    const back = await startControlPlane({
      config: path.join(ROOT, "bench/workerd-plain/wrangler.toml"),
      persistTo: path.join(dir, "back"),
      inspectorPort,
      vars: { NOTARY_KEY: randomKey() },
      env,
    });
    stops.push(back.stop);
    const markPort = await freePort();
    const front = await startControlPlane({
      config: path.join(ROOT, "bench/workerd-split/wrangler.toml"),
      persistTo: path.join(dir, "front"),
      migrate: false,
      env,
      vars: { MARK_URL: `http://127.0.0.1:${markPort}` },
    });
    stops.push(front.stop);
    const backPids = workerdUnder(back.process.pid!);
    const frontPids = workerdUnder(front.process.pid!);
    // The front marks the start and end of each round's submits and verify round; CPU time is
    // summed between them, by kind.
    const spans = { submit: { back: 0, front: 0 }, verify: { back: 0, front: 0 } };
    let open: null | { kind: "submit" | "verify"; back: number; front: number } = null;
    const marks = createServer((req, res) => {
      const now = { back: cpuMs(backPids), front: cpuMs(frontPids) };
      if (open) {
        spans[open.kind].back += now.back - open.back;
        spans[open.kind].front += now.front - open.front;
        open = null;
      }
      if (req.url === "/submit" || req.url === "/verify") open = { kind: req.url === "/submit" ? "submit" : "verify", ...now };
      res.end("ok");
    });
    await new Promise<void>((resolve) => marks.listen(markPort, "127.0.0.1", resolve));
    stops.push(
      () =>
        new Promise<void>((resolve) => {
          marks.close(() => resolve());
          marks.closeAllConnections(); // the front's kept-alive connection would hold close() for 5 s
        }),
    );
    const run = async (): Promise<SplitFigures> => {
      const b0 = cpuMs(backPids);
      const f0 = cpuMs(frontPids);
      spans.submit = { back: 0, front: 0 };
      spans.verify = { back: 0, front: 0 };
      const res = await fetch(`${front.url}/ingest`);
      if (!res.ok) throw new Error(`split-workerd ingest bench answered ${res.status}: ${await res.text()}`);
      const f = (await res.json()) as IngestFigures;
      const rounds = f.round_receipts;
      return {
        ...f,
        back_cpu_us_per_receipt: (1000 * (cpuMs(backPids) - b0)) / f.receipts,
        front_cpu_us_per_receipt: (1000 * (cpuMs(frontPids) - f0)) / f.receipts,
        submit_back_cpu_us_per_receipt: (1000 * spans.submit.back) / rounds,
        submit_front_cpu_us_per_receipt: (1000 * spans.submit.front) / rounds,
        verify_cpu_us: (1000 * spans.verify.front) / rounds,
      };
    };
    await run(); // warm-up, as in plainIngest
    if (!opts.profile) return await run();
    const { value, profile } = await profiled(`ws://127.0.0.1:${inspectorPort}/ws`, run);
    writeFileSync(opts.profile, JSON.stringify(profile));
    return { ...value, profile: selfTimeUnder(profile, "admitVerified") };
  } finally {
    for (const stop of stops.reverse()) await stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
