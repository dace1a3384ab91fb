// `npm run build` (also run by `prepare`, the test setup and the bench): bundles the two CLIs into
// dist/enc.mjs and dist/enc-agent.mjs so that bin/ starts plain JavaScript instead of compiling
// TypeScript at every start. Packages stay external (resolved from node_modules); code splitting
// keeps each command in its own chunk, loaded only when selected.
import { renameSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Metafile } from "esbuild";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
// The verify worker is an entry of its own: `enc ledger verify` starts it in worker threads.
export const ENTRIES = { enc: "cli/main.ts", "enc-agent": "node-agent/main.ts", "enc-verify-worker": "cli/lib/verify-worker.ts" };

/** Builds into a fresh folder, then swaps it in: a CLI starting meanwhile never sees half a build. */
export async function buildCli(outdir = path.join(ROOT, "dist")): Promise<Metafile> {
  const fresh = `${outdir}.new-${process.pid}`;
  const old = `${outdir}.old-${process.pid}`;
  rmSync(fresh, { recursive: true, force: true });
  const r = await build({
    absWorkingDir: ROOT,
    entryPoints: ENTRIES,
    outdir: fresh,
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    outExtension: { ".js": ".mjs" },
    chunkNames: "chunks/[name]-[hash]",
    metafile: true,
    logLevel: "warning",
  });
  rmSync(old, { recursive: true, force: true });
  try {
    renameSync(outdir, old);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  renameSync(fresh, outdir);
  rmSync(old, { recursive: true, force: true });
  return r.metafile;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const meta = await buildCli();
  console.log(`built ${Object.keys(meta.outputs).length} files into dist/ in ${Math.round(performance.now() - started)} ms`);
}
