// The node project's control planes. `wrangler d1 migrations apply` and `wrangler dev` each take
// 5-30 s on the 2-core box and used to run once per test file (half the project's time). This
// setup, in vitest's main process, serves the test files over loopback HTTP:
//   GET /template -> { dir }  a state folder with the D1 migrations applied, made once per run;
//                             testControlPlane() copies it instead of migrating again.
//   GET /shared   -> { url }  one `wrangler dev` for the whole run, for files that only touch their
//                             own clusters and names (sharedControlPlane(), startCluster()).
// Both start as soon as the run's files are known to need them (so wrangler boots while the
// first files run), or else on first request: a run that needs neither starts no wrangler.
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { ROOT, startControlPlane, type ControlPlane } from "../../scripts/lib/control-plane.ts";
import { TEST_KEYS } from "../fixtures/keys.ts";

export const TEST_VARS = { CONTROL_PLANE_KEY: TEST_KEYS.controlPlane, NOTARY_KEY: TEST_KEYS.notary, QLOCK_KEY: TEST_KEYS.qlock,
  NOTARY_MLDSA_KEY: TEST_KEYS.notaryMldsa, CONTROL_PLANE_MLDSA_KEY: TEST_KEYS.controlPlaneMldsa };

/** `wrangler d1 migrations apply` without blocking this process (vitest's reporters run here). */
function applyMigrations(persistTo: string): Promise<void> {
  const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1", NO_COLOR: "1" };
  const args = ["d1", "migrations", "apply", "ledger", "--local", "--persist-to", persistTo];
  return new Promise((resolve, reject) =>
    execFile(path.join(ROOT, "node_modules/.bin/wrangler"), args, { cwd: ROOT, env }, (err, stdout, stderr) =>
      err ? reject(new Error(`applying D1 migrations failed:\n${stdout}\n${stderr}`)) : resolve(),
    ),
  );
}

export interface Broker {
  url: string;
  /** start the shared Worker now (it boots while the first files run) */
  warmShared(): void;
  /** migrate the template now */
  warmTemplate(): void;
  close(): Promise<void>;
}

/**
 * The loopback server above. scripts/test.ts runs one for all of `npm test`'s vitest runs (the
 * node projects run side by side, each its own vitest) and passes its URL in ENC_TEST_BROKER, so
 * they share one `wrangler dev`; a plain vitest run starts its own.
 */
export async function startBroker(): Promise<Broker> {
  const root = mkdtempSync(path.join(tmpdir(), "enc-cp-run-"));
  let template: Promise<string> | undefined;
  let shared: Promise<ControlPlane> | undefined;
  const makeTemplate = () =>
    (template ??= (async () => {
      const dir = path.join(root, "template");
      mkdirSync(dir);
      await applyMigrations(dir);
      return dir;
    })());
  const makeShared = () =>
    (shared ??= (async () => {
      const dir = path.join(root, "shared");
      cpSync(await makeTemplate(), dir, { recursive: true });
      return startControlPlane({ persistTo: dir, migrate: false, vars: TEST_VARS });
    })());

  const server = createServer((req, res) => {
    const answer = (p: Promise<Record<string, string>>) =>
      p.then(
        (body) => res.end(JSON.stringify(body)),
        (err: Error) => {
          res.statusCode = 500;
          res.end(JSON.stringify({ error: err.message }));
        },
      );
    if (req.url === "/template") return answer(makeTemplate().then((dir) => ({ dir })));
    if (req.url === "/shared") return answer(makeShared().then((cp) => ({ url: cp.url })));
    res.statusCode = 404;
    res.end("{}");
  });
  // Requests wait for a wrangler start; the default 5 min request timeout is ample.
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    warmShared: () => void makeShared().catch(() => {}),
    warmTemplate: () => void makeTemplate().catch(() => {}),
    close: async () => {
      server.close();
      await shared?.then((cp) => cp.stop(), () => {});
      await template?.catch(() => {});
      rmSync(root, { recursive: true, force: true });
    },
  };
}

// Both node projects of one vitest run (e.g. `vitest run`) share one broker: their global setups
// run in this one process, so a count on globalThis tells the last teardown to close it.
const SLOT = Symbol.for("enc.test.controlPlaneBroker");
type Slot = { broker: Promise<Broker>; users: number };

export default async function setup(project: TestProject) {
  const outer = process.env.ENC_TEST_BROKER;
  const g = globalThis as unknown as Record<symbol, Slot | undefined>;
  let broker: Broker | undefined;
  if (!outer) {
    const slot = (g[SLOT] ??= { broker: startBroker(), users: 0 });
    slot.users++;
    broker = await slot.broker;
    // The files this run will execute (vitest's CLI filters applied), and what they ask for.
    const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern;
    const sources = (await project.globTestFiles(filters)).testFiles.map((f) => readFileSync(f, "utf8"));
    if (sources.some((src) => /\b(sharedControlPlane|startCluster)\(/.test(src))) broker.warmShared();
    else if (sources.some((src) => /\btestControlPlane\(/.test(src))) broker.warmTemplate();
  }
  project.provide("controlPlaneBroker", outer ?? broker!.url);

  return async () => {
    const slot = g[SLOT];
    if (!broker || !slot || --slot.users > 0) return;
    g[SLOT] = undefined;
    await broker.close();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    controlPlaneBroker?: string;
  }
}
