// On-disk layout of one container; everything the agent needs to adopt it after a restart lives here.
import path from "node:path";
import { CageError } from "./errors.ts";

export interface ContainerPaths {
  dir: string;
  bundle: string;
  config: string;
  rootfs: string;
  /** what the agent decided at create time (CageMeta, JSON) */
  meta: string;
  stdin: string;
  stdout: string;
  stderr: string;
  /** host side of cage.output_dir */
  out: string;
  entropyFifo: string;
  /** bytes of the entropy stream handed to the kernel, for resuming after an agent restart */
  entropyOffset: string;
  /** pid of the container's init, written by runc */
  pid: string;
  /** pid of the shim (the sh that waits on `runc run`) */
  shimPid: string;
  /** the exit status, written by the shim when `runc run` returns */
  exitCode: string;
  /** ExitInfo (JSON), written once the agent has collected the exit */
  exit: string;
  runcLog: string;
  witnessLog: string;
  witnessRoot: string;
}

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export function checkId(id: string): string {
  if (!ID_RE.test(id)) throw new CageError("bad_id", `container id ${JSON.stringify(id)} must match ${ID_RE}`);
  return id;
}

export function runcRoot(dataDir: string): string {
  return path.join(dataDir, "runc");
}

export function containerPaths(dataDir: string, id: string): ContainerPaths {
  const dir = path.join(dataDir, "containers", checkId(id));
  const bundle = path.join(dir, "bundle");
  const at = (name: string) => path.join(dir, name);
  return {
    dir,
    bundle,
    config: path.join(bundle, "config.json"),
    rootfs: path.join(bundle, "rootfs"),
    meta: at("meta.json"),
    stdin: at("stdin"),
    stdout: at("stdout"),
    stderr: at("stderr"),
    out: at("out"),
    entropyFifo: at("urandom.fifo"),
    entropyOffset: at("urandom.offset"),
    pid: at("init.pid"),
    shimPid: at("shim.pid"),
    exitCode: at("exit_code"),
    exit: at("exit.json"),
    runcLog: at("runc.log"),
    witnessLog: at("witness.jsonl"),
    witnessRoot: at("witness.json"),
  };
}
