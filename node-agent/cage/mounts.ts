// Filesystem view of the cage: runc's usual /proc, /dev, /sys set (sysfs and cgroupfs read-only),
// a tmpfs /tmp, the output dir as a bind of a host dir (so files survive the container for
// collection). (Deterministic cages' /dev/urandom and /dev/random: hooks in spec.ts.)
export interface Mount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

export const MASKED_PATHS = [
  "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
  "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
];

export const READONLY_PATHS = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

export interface MountInput {
  /** host dir bound at the output dir */
  output?: { hostDir: string; containerDir: string };
  tmpSizeMb?: number;
  /**
   * no network namespace: a user namespace that owns no network namespace may not mount sysfs,
   * so /sys is the host's, bound recursively read-only
   */
  hostNetwork?: boolean;
  /** host dir holding the init binary, bound read-only at INIT_DIR_IN_CAGE */
  init?: { hostDir: string; containerDir: string };
}

export function buildMounts(input: MountInput): Mount[] {
  const mounts: Mount[] = [
    { destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"] },
    { destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"] },
    { destination: "/dev/pts", type: "devpts", source: "devpts", options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
    { destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
    { destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"] },
    input.hostNetwork
      ? { destination: "/sys", type: "bind", source: "/sys", options: ["rbind", "nosuid", "noexec", "nodev", "rro"] }
      : { destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"] },
    { destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["nosuid", "noexec", "nodev", "relatime", "ro"] },
    { destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "mode=1777", `size=${(input.tmpSizeMb ?? 64) * 1024}k`] },
  ];
  if (input.init) {
    mounts.push({ destination: input.init.containerDir, type: "bind", source: input.init.hostDir, options: ["rbind", "ro", "nosuid", "nodev"] });
  }
  if (input.output) {
    mounts.push({ destination: input.output.containerDir, type: "bind", source: input.output.hostDir, options: ["rbind", "rw", "nosuid", "nodev"] });
  }
  return mounts;
}

const within = (p: string, dir: string) => p === dir || p.startsWith(dir.endsWith("/") ? dir : `${dir}/`);

/**
 * The directories runc needs in the root filesystem itself for `mounts` and the working
 * directory `cwd` (it creates missing ones there before remounting the root read-only): every
 * destination, and the cwd, that no earlier mount covers (/dev/pts lands in the /dev tmpfs).
 */
export function rootfsMountpoints(mounts: readonly Mount[], cwd: string): string[] {
  const out: string[] = [];
  mounts.forEach((m, i) => {
    if (!mounts.slice(0, i).some((earlier) => within(m.destination, earlier.destination))) out.push(m.destination);
  });
  if (cwd !== "/" && !mounts.some((m) => within(cwd, m.destination))) out.push(cwd);
  return out;
}
