// The C2SP logs (PROTOCOL.md §6) as the CLI reads them, and the last checkpoint it accepted per
// log, kept under its config dir: the next run must find the log extended (a smaller log is a
// rollback, an inconsistent one a fork) and says so with a non-zero exit.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { ApiClient } from "../../protocol/api-client.ts";
import type { LogReport, LogSource } from "../../protocol/tlog-verify.ts";
import { CLIError } from "./errors.ts";
import type { IO } from "./io.ts";
import { configDir } from "./wallet.ts";
import { writeFileAtomic } from "./atomic-file.ts";

/** The log served under `prefix` (…/log); checkpoint() throws NOT_SERVED on a server without one. */
export function apiLogSource(api: ApiClient, prefix: string): LogSource {
  return {
    async checkpoint() {
      const res = await api.raw("GET", `${prefix}/checkpoint`);
      if (res.status === 404) throw new Error(NOT_SERVED);
      if (!res.ok) throw new Error(`GET ${prefix}/checkpoint answered ${res.status}`);
      return res.text();
    },
    async tile(p) {
      const res = await api.raw("GET", `${prefix}/${p}`);
      if (!res.ok) throw new Error(`GET ${prefix}/${p} answered ${res.status}`);
      return new Uint8Array(await res.arrayBuffer());
    },
  };
}

export const NOT_SERVED = "the server serves no checkpoint for this log";

/** Where the last accepted checkpoint of a log lives: per server and per log. */
export function rememberedPath(env: IO["env"], url: string, log: string): string {
  return path.join(configDir(env), "checkpoints", encodeURIComponent(new URL(url).host), `${encodeURIComponent(log)}.checkpoint`);
}

/** The earlier checkpoint to check against: `--since-checkpoint FILE` first, else the remembered one. */
export function sinceCheckpoint(flag: string | undefined, remembered: string): string | undefined {
  const file = flag ?? remembered;
  if (!existsSync(file)) {
    if (flag) throw new CLIError("bad_checkpoint", `--since-checkpoint ${flag} does not exist`);
    return undefined;
  }
  return readFileSync(file, "utf8");
}

export function remember(file: string, note: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, note);
}

/** One line on the log's checks, for a clean run. */
export function logLine(log: LogReport): string {
  const since = log.consistent_with !== undefined ? `, consistent with the checkpoint of ${log.consistent_with} seen before` : "";
  return `transparency log ${log.origin}: signed checkpoint of ${log.size} entries, the ledger matches its root, ${log.proved} entries proved from its tiles${since}`;
}
