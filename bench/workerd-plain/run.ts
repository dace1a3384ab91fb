// Runs bench/workerd-plain/worker.ts under `wrangler dev` (plain workerd, the product's NotaryDO
// class) and answers its ingest figures; with `profile`, also a V8 CPU profile of the Worker's
// isolate taken through the inspector around the run, and its self time inside NotaryDO.admitVerified
// (the DO's part) and inside verifyThenAdmit (the Worker's verification).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import WebSocket from "ws";
import { freePort, ROOT, startControlPlane } from "../../scripts/lib/control-plane.ts";
import type { IngestFigures } from "../notary-ingest.ts";

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** A minimal Chrome DevTools Protocol client: Profiler.start / stop around `during`. */
async function profiled<T>(inspector: string, during: () => Promise<T>): Promise<{ value: T; profile: CpuProfile }> {
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

/** Self time (ms) by function within the frames under `root`, the largest first. */
function selfTimeUnder(p: CpuProfile, root: string): { total: number; under: number; top: [string, number][] } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
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

export async function plainIngest(opts: { profile?: string } = {}): Promise<IngestFigures & { profile?: ReturnType<typeof selfTimeUnder>; front?: ReturnType<typeof selfTimeUnder> }> {
  const dir = mkdtempSync(path.join(tmpdir(), "enc-bench-plain-"));
  const inspectorPort = await freePort();
  const cp = await startControlPlane({
    config: path.join(ROOT, "bench/workerd-plain/wrangler.toml"),
    persistTo: dir,
    inspectorPort,
    vars: { NOTARY_KEY: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("hex") },
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
