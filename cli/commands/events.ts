import { ApiClient, ApiError } from "../../protocol/api-client.ts";
import { routes } from "../../protocol/routes.ts";
import type { ClusterEvent, EventsPage } from "../lib/api-types.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import type { Context } from "../lib/context.ts";
import { CLIError } from "../lib/errors.ts";
import { formatTable, short } from "../lib/table.ts";
import { intFlag } from "../lib/values.ts";
import { interruptSignal } from "../lib/workload-view.ts";

/** How long one --follow request is held by the server when nothing happens (its maximum is 25). */
const WAIT_S = 20;

export default defineCommand({
  description:
    "What happened, oldest first: from the audit log (deployed, replica_created, scheduled, scaled,\n" +
    "failover, updated, rollout_*, node_status) and from the nodes' signed reports (pulled, started,\n" +
    "exited, back_off, restarting, failed, pull_failed, healthy, unhealthy, stopping, killed).\n" +
    "--follow keeps printing new events as they happen until Ctrl-C (a long poll: each request is\n" +
    "held until something happens). --json prints one JSON object per line.",
  flags: {
    ...CLUSTER_FLAG,
    workload: { type: "string", short: "w", placeholder: "name", description: "only this workload's events" },
    follow: { type: "boolean", short: "f", description: "keep printing new events until Ctrl-C" },
    limit: { type: "string", placeholder: "N", description: "how many of the newest events to show first, 1-1000 (default 50)" },
  },
  examples: ["enc events", "enc events --workload web --follow", "enc events -w web --json"],
  async run(ctx, { flags }) {
    const limit = intFlag(flags.limit, "limit", 1, 1000) ?? 50;
    const cluster = ctx.cluster(flags.cluster);
    const api = await ctx.client();
    const base = routes.events(cluster);
    const query = (extra: Record<string, string>) => `${base}?${new URLSearchParams({ ...(flags.workload ? { workload: flags.workload } : {}), ...extra })}`;
    const first = await api.get<EventsPage>(query({ limit: String(limit) }));
    if (!flags.follow) {
      if (ctx.json) return ctx.emit({ cluster, ...first });
      if (first.events.length === 0) return ctx.out(ctx.style.dim(`No events${flags.workload ? ` for ${flags.workload}` : ""} in ${cluster} yet.`));
      return ctx.out(eventTable(first.events, ctx));
    }
    const interrupt = interruptSignal();
    // The held requests go through a client whose requests Ctrl-C aborts: a request left open
    // would keep the process alive until the server lets go of it.
    const poller = new ApiClient({
      url: ctx.url,
      signer: api.signer,
      fetch: (req) => fetch(req, { signal: AbortSignal.any([interrupt.signal, AbortSignal.timeout((WAIT_S + 15) * 1000)]) }),
    });
    const print = printer(ctx);
    ctx.note(ctx.errStyle.dim(`Following events${flags.workload ? ` of ${flags.workload}` : ""} in ${cluster}; Ctrl-C to stop.`));
    try {
      print(first.events);
      let cursor = first.cursor;
      while (!interrupt.signal.aborted) {
        const page = await poller.get<EventsPage>(query({ after: cursor, wait: String(WAIT_S), limit: "500" })).catch((err: unknown) => {
          if (interrupt.signal.aborted) return null;
          if (err instanceof ApiError) throw err;
          throw new CLIError("unreachable", `lost the event stream from ${ctx.url}: ${(err as Error).message}`, 1, "Run the command again to resume.");
        });
        if (!page) break;
        print(page.events);
        cursor = page.cursor;
      }
    } finally {
      interrupt.dispose();
    }
  },
});

/** Prints events one line each as they come (aligned columns are impossible on a stream). */
function printer(ctx: Context): (events: ClusterEvent[]) => void {
  // Events can come twice when node clocks disagree (the cursor then errs on the side of repeating).
  const seen = new Set<string>();
  return (events) => {
    for (const e of events) {
      if (seen.has(e.id)) continue;
      seen.add(e.id);
      if (seen.size > 10_000) seen.delete(seen.values().next().value!);
      ctx.out(ctx.json ? JSON.stringify(e) : eventLine(e, ctx));
    }
  };
}

const what = (e: ClusterEvent) => e.replica ?? e.workload ?? (e.node ? `node ${short(e.node)}` : "-");

function kindText(kind: string, ctx: Context): string {
  const s = ctx.style;
  if (/fail|back_off|unhealthy|oom|killed|node_removed/.test(kind)) return s.red(kind);
  if (/exited|stopping|restarting|deleted|failover/.test(kind)) return s.yellow(kind);
  return s.green(kind);
}

function eventLine(e: ClusterEvent, ctx: Context): string {
  return [e.at, kindText(e.kind, ctx), what(e), e.reason ?? ""].filter(Boolean).join("  ");
}

function eventTable(events: ClusterEvent[], ctx: Context): string {
  return formatTable(
    ["TIME", "EVENT", "OBJECT", "NODE", "REASON"],
    events.map((e) => [e.at, kindText(e.kind, ctx), what(e), e.node ? short(e.node) : "-", e.reason ?? "-"]),
    ctx.style,
  );
}
