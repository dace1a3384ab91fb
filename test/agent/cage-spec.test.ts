// The runtime spec and seed derivation, checked without running anything.
import { blake3 } from "@noble/hashes/blake3.js";
import { describe, expect, it } from "vitest";
import { canonicalize } from "../../protocol/jcs.ts";
import { hashToText } from "../../protocol/hash.ts";
import { CageError, EntropyStream, URANDOM_CONTEXT, buildRuntimeSpec, deriveSeed, parseCageWorkload, seedCommitment, type SpecInput } from "../../node-agent/cage/index.ts";

const base: Omit<SpecInput, "workload"> = {
  id: "ctr-1",
  image: { manifestDigest: "sha256:" + "1".repeat(64), config: { Entrypoint: ["/bin/app"], Cmd: ["--serve"], Env: ["PATH=/usr/bin:/bin", "IMAGE_ONLY=1"], WorkingDir: "/srv" }, rootfs: "/r" },
  user: { uid: 0, gid: 0, additionalGids: [] },
  idRange: { base: 1_700_000, size: 65536 },
  cgroupsPath: "enc/ctr-1",
  outputHostDir: "/data/ctr-1/out",
  entropyFifo: "/data/ctr-1/urandom.fifo",
};
const spec = (workload: unknown) => buildRuntimeSpec({ ...base, workload: parseCageWorkload(workload) });
const dests = (s: ReturnType<typeof spec>) => s.mounts.map((m) => m.destination);

describe("cage runtime spec", () => {
  it("cages by default: namespaces, no capabilities, read-only rootfs, no rlimits, masked paths", () => {
    const s = spec({});
    expect(s.linux.namespaces.map((n) => n.type).sort()).toEqual(["cgroup", "ipc", "mount", "network", "pid", "user", "uts"]);
    // container root is host id 1700000: never the identity map
    expect(s.linux.uidMappings).toEqual([{ containerID: 0, hostID: 1_700_000, size: 65536 }]);
    expect(s.linux.gidMappings).toEqual([{ containerID: 0, hostID: 1_700_000, size: 65536 }]);
    expect(Object.values(s.process.capabilities).every((set) => set.length === 0)).toBe(true);
    expect(s.process.noNewPrivileges).toBe(true);
    expect(s.process).not.toHaveProperty("rlimits");
    expect(s.root).toEqual({ path: "/r", readonly: true });
    expect(s.process.args).toEqual(["/bin/app", "--serve"]);
    expect(s.process.cwd).toBe("/srv");
    expect(dests(s)).toEqual(expect.arrayContaining(["/proc", "/dev", "/dev/shm", "/sys", "/tmp"]));
    expect(s.linux.maskedPaths).toContain("/proc/kcore");
    expect(s.linux.readonlyPaths).toContain("/proc/sysrq-trigger");
    expect(s.linux.resources.pids).toEqual({ limit: 1024 });
  });

  it("turns resources into cgroup limits", () => {
    const s = spec({ resources: { cpu_millis: 500, memory_mb: 128, pids: 64 } });
    expect(s.linux.resources.cpu).toEqual({ quota: 50_000, period: 100_000 });
    expect(s.linux.resources.memory).toEqual({ limit: 128 << 20, swap: 128 << 20 });
    expect(s.linux.resources.pids).toEqual({ limit: 64 });
  });

  it("denies by default with EPERM and allows only the listed syscalls", () => {
    const sc = spec({}).linux.seccomp;
    expect(sc.defaultAction).toBe("SCMP_ACT_ERRNO");
    expect(sc.defaultErrnoRet).toBe(1);
    const allowed = new Set(sc.syscalls.filter((r) => r.action === "SCMP_ACT_ALLOW" && !r.args).flatMap((r) => r.names));
    for (const deny of ["mount", "umount2", "reboot", "kexec_load", "init_module", "ptrace", "bpf", "unshare", "setns", "keyctl", "add_key", "swapon", "clock_settime", "settimeofday", "sethostname", "personality", "io_uring_setup"]) {
      expect(allowed.has(deny), deny).toBe(false);
    }
    expect(sc.syscalls.find((r) => r.names.includes("personality"))?.args).toEqual([{ index: 0, value: 0, op: "SCMP_CMP_EQ" }]);
    expect(sc.syscalls.find((r) => r.names.includes("getrandom"))?.action).toBe("SCMP_ACT_ALLOW");
  });

  it("host networking shares the host stack and hands out the assigned ports", () => {
    const s = spec({ cage: { network: "host" }, ports: [{ container_port: 8080, host_port: 31001 }, { container_port: 9090, host_port: 31002 }], env: { A: "1" } });
    expect(s.linux.namespaces.map((n) => n.type)).not.toContain("network");
    expect(s.process.env).toEqual(expect.arrayContaining(["PORT=31001", "PORT_8080=31001", "PORT_9090=31002", "A=1", "IMAGE_ONLY=1"]));
    // still a user namespace; the host's sysfs bound recursively read-only (no sysfs mount without a netns)
    expect(s.linux.namespaces.map((n) => n.type)).toContain("user");
    expect(s.mounts.find((m) => m.destination === "/sys")).toEqual({ destination: "/sys", type: "bind", source: "/sys", options: ["rbind", "nosuid", "noexec", "nodev", "rro"] });
    // IPv4/IPv6 sockets only (the host's abstract unix sockets are out of reach), no socketcall
    const socket = s.linux.seccomp.syscalls.filter((r) => r.names.includes("socket"));
    expect(socket.map((r) => r.args?.[0])).toEqual([
      { index: 0, value: 0xffffffff, valueTwo: 2, op: "SCMP_CMP_MASKED_EQ" },
      { index: 0, value: 0xffffffff, valueTwo: 10, op: "SCMP_CMP_MASKED_EQ" },
    ]);
    expect(s.linux.seccomp.syscalls.some((r) => r.names.includes("socketcall"))).toBe(false);
  });

  it("binds the output dir from the host", () => {
    const s = spec({ cage: { output_dir: "/out" } });
    expect(s.mounts.find((m) => m.destination === "/out")).toEqual({ destination: "/out", type: "bind", source: "/data/ctr-1/out", options: ["rbind", "rw", "nosuid", "nodev"] });
  });

  it("determinism: isolated network, fixed hostname and env, one CPU, seeded urandom, getrandom ENOSYS", () => {
    const s = spec({ command: ["sh"], env: { B: "2", A: "1" }, cage: { determinism: true, network: "host" }, ports: [{ container_port: 1, host_port: 2 }] });
    expect(s.linux.namespaces.map((n) => n.type)).toContain("network");
    expect(s.hostname).toBe("enc-cage");
    expect(s.process.env).toEqual(["A=1", "B=2", "LANG=C", "PATH=/usr/bin:/bin", "TZ=UTC"]);
    expect(s.linux.resources.cpu?.cpus).toBe("0");
    // bound by hooks after runc's own device binds (user namespace), inside the container's mount namespace
    expect(s.hooks?.createContainer).toEqual([
      { path: "/bin/mount", args: ["mount", "-n", "--bind", "/data/ctr-1/urandom.fifo", "/r/dev/urandom"] },
      { path: "/bin/mount", args: ["mount", "-n", "--bind", "/data/ctr-1/urandom.fifo", "/r/dev/random"] },
    ]);
    expect(s.linux.seccomp.syscalls.find((r) => r.names.includes("getrandom"))).toEqual({ names: ["getrandom"], action: "SCMP_ACT_ERRNO", errnoRet: 38 });
  });

  it("rejects bad workloads before anything runs", () => {
    for (const bad of [{ command: [] }, { env: { "A=B": "x" } }, { cage: { output_dir: "relative" } }, { cage: { output_dir: "/proc/x" } }, { resources: { memory_mb: -1 } }, { cage: { network: "bridge" } }]) {
      expect(() => parseCageWorkload(bad), JSON.stringify(bad)).toThrowError(CageError);
    }
    expect(() => buildRuntimeSpec({ ...base, image: { ...base.image, config: {} }, workload: {} })).toThrowError(/nothing to run/);
  });
});

describe("seed", () => {
  const input = { image: "sha256:" + "2".repeat(64), command: ["sh", "-c", "x"], env: { K: "V" }, seed: "s" };

  it("is BLAKE3 of the JCS document and is committed to as blake3(seed)", () => {
    const seed = deriveSeed(input);
    expect(Buffer.from(seed)).toEqual(Buffer.from(blake3(new TextEncoder().encode(canonicalize({ v: 1, ...input })))));
    expect(seedCommitment(seed)).toBe(hashToText(blake3(seed)));
    expect(deriveSeed({ ...input, seed: "t" })).not.toEqual(seed);
    expect(deriveSeed({ ...input, env: {} })).not.toEqual(seed);
  });

  it("streams BLAKE3 derive_key XOF output, continuous across reads", () => {
    const seed = deriveSeed(input);
    const a = new EntropyStream(seed);
    const joined = Buffer.concat([a.next(10), a.next(90)]);
    expect(joined).toEqual(Buffer.from(blake3(seed, { context: new TextEncoder().encode(URANDOM_CONTEXT), dkLen: 100 })));
    const b = new EntropyStream(seed);
    b.skipTo(10);
    expect(Buffer.from(b.next(90))).toEqual(joined.subarray(10));
  });
});
