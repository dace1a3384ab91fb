import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, it } from "vitest";
import { createFromImage } from "../../node-agent/cage/index.ts";
import { buildBusyboxImage } from "../../test/fixtures/image-builder.ts";
import { median, report } from "../workerd/stats.ts";

const RUNS = 50;
const work = fs.mkdtempSync(path.join(os.tmpdir(), "enc-bench-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/*
 * Create-to-exit of /bin/true: the agent's cage (bundle from the cached image, seccomp,
 * cgroups, witness recording, usage collection, delete) against a bare `runc run` of the very
 * bundle the cage produced, and `podman run --runtime runc` of its rootfs where podman runs.
 */
it("agent create-to-exit vs bare runc", async () => {
  const dataDir = path.join(work, "data");
  const image = buildBusyboxImage(path.join(work, "busybox"));
  const workload = { command: ["/bin/true"] };
  const warm = await createFromImage({ dataDir }, { id: "warm", image: image.ref, workload });
  await warm.container.start();
  await warm.container.wait();
  // Keep a copy of a real cage bundle for the bare runs (the container's own is deleted). The
  // rootfs is wherever the cage put it (the image's shared tree, or the bundle's own copy).
  const bundle = path.join(work, "bundle");
  fs.cpSync(warm.container.paths.bundle, bundle, { recursive: true, verbatimSymlinks: true });
  await warm.container.delete();
  const cfg = JSON.parse(fs.readFileSync(path.join(bundle, "config.json"), "utf8"));
  if (cfg.root.path === warm.container.paths.rootfs) cfg.root.path = path.join(bundle, "rootfs");
  cfg.process.terminal = false;
  cfg.mounts = cfg.mounts.filter((m: { source?: string }) => !m.source || !m.source.startsWith(warm.container.paths.dir));
  fs.writeFileSync(path.join(bundle, "config.json"), JSON.stringify(cfg));

  // Podman (Debian's, with runc as its runtime and lowered ulimits) on the same rootfs, if it runs
  // here at all; if not, the reason is printed instead of a figure.
  const podmanArgs = ["run", "--rm", "--runtime", "runc", "--network", "none", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096", "--rootfs", path.resolve(bundle, cfg.root.path), "/bin/true"];
  const probe = spawnSync("podman", podmanArgs, { encoding: "utf8", timeout: 120_000 });
  const podmanWhyNot = probe.error ? `podman not runnable: ${probe.error.message}` : probe.status !== 0 ? `podman run failed (exit ${probe.status}): ${(probe.stderr || probe.stdout).trim().split("\n").at(-1)}` : null;
  const podman: number[] = [];
  const runPodman = () => {
    if (podmanWhyNot) return;
    const t = performance.now();
    const r = spawnSync("podman", podmanArgs, { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
    podman.push(performance.now() - t);
    if (r.status !== 0) throw new Error(`podman exited ${r.status}: ${r.stderr}`);
  };

  // Interleaved, alternating which goes first, so that load from other processes on the host
  // (and any kernel cleanup one run leaves behind) falls on both series alike.
  const agent: number[] = [];
  const bare: number[] = [];
  const root = path.join(work, "runc-bare");
  const runAgent = async (i: number) => {
    const t = performance.now();
    const { container } = await createFromImage({ dataDir }, { id: `t${i}`, image: image.ref, workload });
    await container.start();
    const exit = await container.wait();
    agent.push(performance.now() - t);
    if (exit.exitCode !== 0) throw new Error(`exit ${exit.exitCode}`);
    await container.delete();
  };
  const runBare = (i: number) => {
    const t = performance.now();
    const r = spawnSync("runc", ["--root", root, "run", "--bundle", bundle, `bare${i}`], { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
    if (r.status !== 0) console.error(r.stderr);
    bare.push(performance.now() - t);
    if (r.status !== 0) throw new Error(`bare runc exited ${r.status}`);
  };
  for (let i = 0; i < RUNS; i++) {
    if (i % 2 === 0) {
      await runAgent(i);
      runBare(i);
      runPodman();
    } else {
      runPodman();
      runBare(i);
      await runAgent(i);
    }
  }
  report("agent.create_to_exit_true_median_ms", median(agent), "ms");
  report("runc.bare_run_true_median_ms", median(bare), "ms");
  report("agent.over_bare_ratio", median(agent) / median(bare), "x", "<= 1.3");
  if (podmanWhyNot) console.log(`BENCH_NOTE podman.run_true_median_ms ${podmanWhyNot.replace(/\s+/g, " ").slice(0, 400)}`);
  else {
    report("podman.run_true_median_ms", median(podman), "ms");
    report("agent.over_podman_ratio", median(agent) / median(podman), "x");
  }
});
