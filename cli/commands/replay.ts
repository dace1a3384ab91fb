import { routes } from "../../protocol/routes.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { formatPairs } from "../lib/table.ts";

interface Replay {
  id: string;
  node: string;
  receipt: string;
  status: "requested" | "done";
  verdict: "match" | "mismatch" | "error" | null;
  replay_receipt: string | null;
  detail: string | null;
}

export default defineCommand({
  description:
    "The node reruns the container with the same image, command, env and seed and records a `replay` receipt with the verdict. Exits 0 on match, 3 on mismatch (with --wait).",
  args: { receipt: { description: "the receipt's hash (blake3:…), e.g. an exit receipt from `enc receipts list <app> --op exit`", required: true } },
  flags: {
    ...CLUSTER_FLAG,
    wait: { type: "boolean", description: "wait for the verdict" },
    timeout: { type: "string", placeholder: "S", default: "120", description: "give up waiting after S seconds (default 120)" },
  },
  async run(ctx, { args, flags }) {
    const cluster = ctx.cluster(flags.cluster);
    const api = await ctx.client();
    let { replay } = await api.post<{ replay: Replay }>(routes.replays(cluster), { receipt: args.receipt });
    const deadline = Date.now() + Number(flags.timeout ?? 120) * 1000;
    while (flags.wait && replay.status !== "done" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      ({ replay } = await api.get<{ replay: Replay }>(routes.replay(cluster, replay.id)));
    }
    const code = replay.verdict === "mismatch" ? 3 : flags.wait && replay.status !== "done" ? 1 : replay.verdict === "error" ? 1 : 0;
    if (ctx.json) {
      ctx.emit({ cluster, replay });
      return code;
    }
    const verdict = replay.verdict ? replay.verdict.toUpperCase() : flags.wait ? "no verdict yet (timed out)" : "requested";
    ctx.out(
      formatPairs(
        [
          ["Replay", replay.id],
          ["Receipt", replay.receipt],
          ["Node", replay.node],
          ["Verdict", verdict],
          ...(replay.replay_receipt ? ([["Replay receipt", replay.replay_receipt]] as [string, string][]) : []),
          ...(replay.detail ? ([["Detail", replay.detail]] as [string, string][]) : []),
        ],
        ctx.style,
      ),
    );
    return code;
  },
});
