// One agent per data dir: two daemons reconciling the same containers and appending to the same
// receipt chains would fork them. The lock is a pid file; a stale one (dead pid) is taken over.
import fs from "node:fs";
import { AgentError } from "../agent-error.ts";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function holder(file: string): number | null {
  const pid = Number(fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim() : NaN);
  return Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid) ? pid : null;
}

export function acquireLock(file: string): () => void {
  const other = holder(file);
  if (other !== null) throw new AgentError("locked", `another enc-agent (pid ${other}) serves this data dir (${file})`);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${process.pid}\n`);
  fs.renameSync(tmp, file);
  return () => {
    try {
      if (fs.readFileSync(file, "utf8").trim() === String(process.pid)) fs.rmSync(file);
    } catch {
      // already gone
    }
  };
}
