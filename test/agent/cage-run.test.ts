// Real containers under runc (root required): output capture and witness, determinism, OOM,
// seccomp, read-only rootfs, network isolation, kill, adoption by a fresh Container object.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Container, containerPaths, createFromImage, deriveSeed, listContainers, seedCommitment, type ExitInfo } from "../../node-agent/cage/index.ts";
import { nodeIdRange, prepareImage } from "../../node-agent/image/index.ts";
import { readWitnessLog, rootOfLog, witnessRoot } from "../../node-agent/witness/index.ts";
import { buildBusyboxImage, type BuiltImage } from "../fixtures/image-builder.ts";
import { cleanup, runcIds, tempDir } from "./helpers.ts";

let work: string;
let dataDir: string;
let image: BuiltImage;

beforeAll(() => {
  work = tempDir("cage");
  dataDir = path.join(work, "data");
  image = buildBusyboxImage(path.join(work, "busybox"));
});
afterAll(() => cleanup(dataDir, work));

interface Run {
  exit: ExitInfo;
  stdout: string;
  stderr: string;
  container: Container;
}

async function run(id: string, workload: Record<string, unknown>, opts: { stdin?: string } = {}): Promise<Run> {
  const { container } = await createFromImage({ dataDir }, { id, image: image.ref, workload, stdin: opts.stdin === undefined ? undefined : Buffer.from(opts.stdin) });
  await container.start();
  const exit = await container.wait();
  const read = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, "utf8") : "");
  const result = { exit, stdout: read(container.paths.stdout), stderr: read(container.paths.stderr), container };
  await container.delete();
  return result;
}

const sh = (script: string) => ["sh", "-c", script];

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

describe("running caged containers", () => {
  it("runs echo hello, captures its output and records the witness", async () => {
    const r = await run("hello", { command: ["echo", "hello"] });
    expect(r.exit).toMatchObject({ exitCode: 0, reason: "exited" });
    expect(r.stdout).toBe("hello\n");
    expect(r.exit.witness).toMatchObject({ count: 1, bytes: { stdin: 0, stdout: 6, stderr: 0 }, files: 0 });
    const log = await readWitnessLog(r.container.paths.witnessLog);
    expect(log).toEqual([{ v: 1, seq: 0, stream: "stdout", offset: 0, size: 6, data: expect.stringMatching(/^blake3:[0-9a-f]{64}$/) }]);
    expect(witnessRoot(log)).toBe(r.exit.witness.root);
    expect(await rootOfLog(r.container.paths.witnessLog)).toBe(r.exit.witness.root);
    expect(r.exit.usage.cpuNs).toBeGreaterThan(0);
    expect(runcIds(dataDir)).not.toContain("hello"); // deleted
    expect((await r.container.state()).status).toBe("exited");
  });

  it("witnesses stdin and hands it to the process", async () => {
    const r = await run("stdin", { command: ["cat"] }, { stdin: "from stdin\n" });
    expect(r.stdout).toBe("from stdin\n");
    expect(r.exit.witness.bytes).toEqual({ stdin: 11, stdout: 11, stderr: 0 });
  });

  const detScript = [
    "head -c 64 /dev/urandom | od -x",
    "head -c 32 /dev/random | od -x > /out/random.txt",
    'echo "$(hostname) TZ=$TZ LANG=$LANG" > /out/env.txt',
    "cat /proc/self/personality",
  ].join("; ");
  const detWorkload = (seed: string) => ({ command: sh(detScript), env: { MODE: "test" }, cage: { determinism: true, seed, output_dir: "/out" } });

  it("determinism: the same seed gives the same witness root, another seed another", async () => {
    const a = await run("det-a", detWorkload("alpha"));
    const b = await run("det-b", detWorkload("alpha"));
    const c = await run("det-c", detWorkload("beta"));
    expect(a.exit).toMatchObject({ exitCode: 0, determinismIntact: true });
    expect(a.stdout).toMatch(/^0000000 [0-9a-f]{4} /);
    expect(b.stdout).toBe(a.stdout);
    expect(b.exit.witness.root).toBe(a.exit.witness.root);
    expect(c.stdout).not.toBe(a.stdout);
    expect(c.exit.witness.root).not.toBe(a.exit.witness.root);
    expect(a.exit.witness.files).toBe(2);
    const out = a.container.paths.out;
    expect(fs.readFileSync(path.join(out, "env.txt"), "utf8")).toBe("enc-cage TZ=UTC LANG=C\n");
    // /dev/random continues the stream /dev/urandom started: the second read differs from the first.
    expect(fs.readFileSync(path.join(out, "random.txt"), "utf8").slice(8, 48)).not.toBe(a.stdout.slice(8, 48));
    expect(a.stdout).toContain("00040000"); // ADDR_NO_RANDOMIZE: fixed memory layout
    const seed = deriveSeed({ image: image.manifestDigest, command: sh(detScript), env: { MODE: "test" }, seed: "alpha" });
    expect(a.container.seed).toBe(seedCommitment(seed));
  });

  it("kills a container over its memory limit and reports oom", async () => {
    const r = await run("oom", { command: sh("head -c 104857600 /dev/zero | tail"), resources: { memory_mb: 16 } });
    expect(r.exit.reason).toBe("oom");
    expect(r.exit.exitCode).toBe(137);
    expect(r.exit.usage.oomKills).toBeGreaterThanOrEqual(1);
  });

  it("denies forbidden syscalls with EPERM", async () => {
    const r = await run("seccomp", {
      command: sh("unshare -U true; echo unshare=$?; hostname x; echo hostname=$?; mount -t tmpfs t /tmp; echo mount=$?; linux32 true; echo linux32=$?; grep Seccomp: /proc/self/status"),
    });
    expect(r.stdout).toContain("unshare=1\nhostname=1\nmount=");
    expect(r.stdout).not.toContain("mount=0");
    expect(r.stdout).toContain("linux32=1");
    expect(r.stdout).toMatch(/Seccomp:\s+2/);
    expect(r.stderr).toContain("unshare(0x10000000): Operation not permitted"); // a user namespace needs no capability: only seccomp stops it
    expect(r.stderr).toMatch(/sethostname: Operation not permitted/);
  });

  it("runs in a user namespace: container root is an unprivileged id of the node's range on the host", async () => {
    const range = nodeIdRange(dataDir);
    const r = await run("userns", {
      command: sh("cat /proc/self/uid_map /proc/self/gid_map; id -u; cat /etc/passwd > /dev/null && echo readable; echo made > /out/f; ls -ln /bin/busybox | tr -s ' ' | cut -d' ' -f3,4"),
      cage: { output_dir: "/out" },
    });
    expect(r.exit).toMatchObject({ exitCode: 0 });
    const [uidMap, gidMap, ...rest] = r.stdout.split("\n");
    expect(uidMap!.trim().split(/\s+/)).toEqual(["0", String(range.base), "65536"]);
    expect(uidMap!.trim().split(/\s+/)).not.toEqual(["0", "0", "4294967295"]);
    expect(gidMap!.trim().split(/\s+/)).toEqual(["0", String(range.base), "65536"]);
    expect(rest.join("\n")).toBe("0\nreadable\n0 0\n"); // image root owns the image's files inside
    const out = fs.statSync(path.join(r.container.paths.out, "f"));
    expect([out.uid, out.gid]).toEqual([range.base, range.base]); // on the host: the range, not root
    expect(range.base).toBeGreaterThanOrEqual(1_000_000);
  });

  it("mounts the rootfs read-only, /tmp and the output dir writable, and has no network", async () => {
    const r = await run("readonly", {
      command: sh("touch /bin/x; echo rootfs=$?; touch /tmp/x; echo tmp=$?; touch /out/x; echo out=$?; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '"),
      cage: { output_dir: "/out" },
    });
    expect(r.stdout).toBe("rootfs=1\ntmp=0\nout=0\nlo\n");
    expect(r.stderr).toContain("Read-only file system");
  });

  it("shares the host network when asked and hands the workload its assigned port", async () => {
    const port = await freePort();
    const { container } = await createFromImage({ dataDir }, {
      id: "host-net",
      image: image.ref,
      workload: {
        command: sh('mkdir /tmp/www && echo "served on $PORT_8080" > /tmp/www/index.html && exec httpd -f -p "$PORT" -h /tmp/www'),
        cage: { network: "host" },
        ports: [{ container_port: 8080, host_port: port }],
      },
    });
    await container.start();
    let body = "";
    for (let i = 0; i < 50 && !body; i++) {
      body = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text(), () => "");
      if (!body) await new Promise((r) => setTimeout(r, 100));
    }
    expect(body).toBe(`served on ${port}\n`);
    await container.kill("SIGKILL");
    expect(await container.wait()).toMatchObject({ exitCode: 137, reason: "killed" });
    await container.delete();
  });

  it("runs the image's User and lets it write its output dir", async () => {
    const id = "nobody";
    const paths = containerPaths(dataDir, id);
    const prepared = await prepareImage(image.ref, { dataDir, rootfsDir: paths.rootfs });
    const c = await Container.create({ dataDir }, { id, image: { ...prepared, config: { ...prepared.config, User: "nobody" } }, workload: { command: sh("id -u; id -g; echo ok > /out/f"), cage: { output_dir: "/out" } } });
    await c.start();
    expect(await c.wait()).toMatchObject({ exitCode: 0 });
    expect(fs.readFileSync(paths.stdout, "utf8")).toBe("65534\n65534\n");
    expect(fs.readFileSync(path.join(paths.out, "f"), "utf8")).toBe("ok\n");
    await c.delete();
  });

  it("adopts a running container from a fresh object, reports stats, kills it", async () => {
    const { container: first } = await createFromImage({ dataDir }, { id: "adopt", image: image.ref, workload: { command: ["sleep", "30"] } });
    await first.start();
    // A restarted agent knows only the data dir.
    const listed = await listContainers({ dataDir });
    expect(listed.find((c) => c.id === "adopt")?.runc?.status).toBe("running");
    const adopted = await Container.adopt({ dataDir }, "adopt");
    expect((await adopted.state()).status).toBe("running");
    const stats = await adopted.stats();
    expect(stats.pids).toBe(1);
    expect(stats.memoryBytes).toBeGreaterThan(0);
    await adopted.kill("SIGKILL");
    const exit = await adopted.wait();
    expect(exit).toMatchObject({ exitCode: 137, reason: "killed" });
    expect(await first.wait()).toEqual(exit); // the first object reads the persisted exit
    await adopted.delete();
    expect(runcIds(dataDir)).not.toContain("adopt");
  });

  it("adopts a deterministic container after its agent process died, and feeds it again", async () => {
    const workload = { command: sh("sleep 1; head -c 8 /dev/urandom | od -x"), cage: { determinism: true, seed: "adopt" } };
    const tsx = path.join(process.cwd(), "node_modules", ".bin", "tsx");
    execFileSync(tsx, [path.join(__dirname, "start-and-exit.ts"), dataDir, "det-adopt", image.ref, JSON.stringify(workload)], { stdio: "inherit" });
    const adopted = await Container.adopt({ dataDir }, "det-adopt"); // without a feeder the read would block forever
    const exit = await adopted.wait();
    expect(exit).toMatchObject({ exitCode: 0, reason: "exited", determinismIntact: false });
    expect(fs.readFileSync(adopted.paths.stdout, "utf8")).toMatch(/^0000000 [0-9a-f]{4} /);
    await adopted.delete();
  });

  it("reports a container whose shim vanished as lost", async () => {
    const { container } = await createFromImage({ dataDir }, { id: "lost", image: image.ref, workload: { command: ["sleep", "30"] } });
    await container.start();
    process.kill(container.meta.shimPid!, "SIGKILL"); // the waiter dies; the container does not
    expect((await container.state()).status).toBe("running");
    await container.runc.kill("lost", "SIGKILL");
    expect(await container.wait()).toMatchObject({ exitCode: null, reason: "lost" });
    await container.delete();
  });

  it("reports a process that cannot start", async () => {
    const r = await run("no-such", { command: ["/no/such/binary"] });
    expect(r.exit.reason).toBe("failed_to_start");
    expect(r.exit.error).toContain("/no/such/binary");
  });
});
