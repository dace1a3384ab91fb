// `enc-agent replay <receipt-hash>`: rerun a container and compare witness roots.
import { AgentError } from "./agent-error.ts";
import { num, parseArgs, str } from "./cli-args.ts";
import { DEFAULT_DATA_DIR } from "./command-join.ts";
import type { Logger } from "./daemon/logger.ts";
import { replayReceipt } from "./daemon/replay.ts";

export const MISMATCH_EXIT = 3;

export async function replayCommand(argv: string[], log: Logger, out: (s: string) => void): Promise<number> {
  const p = parseArgs(argv, { "data-dir": {}, "timeout-s": {}, json: { boolean: true }, "log-level": {}, runc: {} });
  const hash = p.positionals[0];
  if (!hash || !/^blake3:[0-9a-f]{64}$/.test(hash)) throw new AgentError("usage", "replay needs a receipt hash (blake3:<64 hex>)");
  const r = await replayReceipt({ dataDir: str(p, "data-dir") ?? DEFAULT_DATA_DIR, hash, timeoutS: num(p, "timeout-s", 1, 86_400), runcBinary: str(p, "runc"), log });
  if (p.flags.json) {
    out(JSON.stringify({ verdict: r.verdict, replay_of: r.replay_of, app: r.app, original: r.original, rerun: r.rerun, receipt: r.receipt.hash, delivered: r.delivered }, null, 2) + "\n");
  } else {
    out(`${r.verdict === "match" ? "MATCH" : "MISMATCH"}: replay of ${r.replay_of} (${r.app})\n`);
    out(`  original  ${r.original.container}  ${r.original.witness_root}\n`);
    out(`  rerun     ${r.rerun.container}  ${r.rerun.witness_root}  (exit ${r.rerun.exit_code ?? "unknown"}, ${r.rerun.reason})\n`);
    out(`  receipt   ${r.receipt.hash}${r.delivered ? "" : "  (queued: the agent daemon sends it)"}\n`);
  }
  return r.verdict === "match" ? 0 : MISMATCH_EXIT;
}
