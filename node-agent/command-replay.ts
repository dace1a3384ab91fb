// `enc-agent replay <receipt-hash>`: rerun a container and compare witness roots.
import { AgentError } from "./agent-error.ts";
import { num } from "./cli-args.ts";
import { DATA_DIR_FLAG, defineAgentCommand } from "./command-context.ts";
import { replayReceipt } from "./daemon/replay.ts";

export const MISMATCH_EXIT = 3;

export default defineAgentCommand({
  description:
    "Reruns the container that produced the receipt with the same image, command, env and seed,\n" +
    "compares witness roots and records a `replay` receipt. Exit 0 on match, 3 on mismatch.",
  args: { "receipt-hash": { description: "the receipt of the run to replay, blake3:<64 hex>", required: true } },
  flags: {
    ...DATA_DIR_FLAG,
    "timeout-s": { type: "string", placeholder: "s", description: "give up after this long (default 300)" },
    json: { type: "boolean", description: "machine-readable JSON output" },
    runc: { type: "string", placeholder: "path", description: "the runc binary (default: runc on PATH)" },
  },
  async run({ log, out }, { args, flags }) {
    const hash = args["receipt-hash"];
    if (!/^blake3:[0-9a-f]{64}$/.test(hash)) throw new AgentError("usage", "replay needs a receipt hash (blake3:<64 hex>)");
    const r = await replayReceipt({ dataDir: flags["data-dir"], hash, timeoutS: num(flags["timeout-s"], "timeout-s", 1, 86_400), runcBinary: flags.runc, log });
    if (flags.json) {
      out(JSON.stringify({ verdict: r.verdict, replay_of: r.replay_of, app: r.app, original: r.original, rerun: r.rerun, receipt: r.receipt.hash, delivered: r.delivered }, null, 2) + "\n");
    } else {
      out(`${r.verdict === "match" ? "MATCH" : "MISMATCH"}: replay of ${r.replay_of} (${r.app})\n`);
      out(`  original  ${r.original.container}  ${r.original.witness_root}\n`);
      out(`  rerun     ${r.rerun.container}  ${r.rerun.witness_root}  (exit ${r.rerun.exit_code ?? "unknown"}, ${r.rerun.reason})\n`);
      out(`  receipt   ${r.receipt.hash}${r.delivered ? "" : "  (queued: the agent daemon sends it)"}\n`);
    }
    return r.verdict === "match" ? 0 : MISMATCH_EXIT;
  },
});
