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

export default async function setup(project: TestProject) {
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

  // The files this run will execute (vitest's CLI filters applied), and what they ask for.
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern;
  const sources = (await project.globTestFiles(filters)).testFiles.map((f) => readFileSync(f, "utf8"));
  if (sources.some((src) => /\b(sharedControlPlane|startCluster)\(/.test(src))) makeShared().catch(() => {});
  else if (sources.some((src) => /\btestControlPlane\(/.test(src))) makeTemplate().catch(() => {});

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
  project.provide("controlPlaneBroker", `http://127.0.0.1:${(server.address() as { port: number }).port}`);

  return async () => {
    server.close();
    await shared?.then((cp) => cp.stop(), () => {});
    await template?.catch(() => {});
    rmSync(root, { recursive: true, force: true });
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    controlPlaneBroker?: string;
  }
}
