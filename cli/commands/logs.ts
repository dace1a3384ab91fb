import type { LogText } from "../../protocol/api/observe.ts";
import { routes } from "../../protocol/routes.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import type { Context } from "../lib/context.ts";
import { usageError } from "../lib/errors.ts";
import { intFlag } from "../lib/values.ts";
import { interruptSignal, sleep } from "../lib/workload-view.ts";

type Times = LogText["times"];

/** The API's largest tail: the whole stored output (the server keeps about 1 MiB per stream). */
const ALL = 1 << 20;
/** What a --follow poll asks for; a stream that grew more than this in one second is refetched whole. */
const POLL_TAIL = 64 * 1024;
const POLL_MS = 1000;
const utf8 = new TextEncoder();

export default defineCommand({
  description:
    "The containers' stdout goes to stdout and their stderr to stderr, each line prefixed with its\n" +
    "replica when several replicas have output. --follow polls every second for new output until Ctrl-C.\n" +
    "A line's time is when the node's agent read it (within about a second of its writing).",
  args: { name: { description: "the workload", required: true } },
  flags: {
    ...CLUSTER_FLAG,
    replica: { type: "string", short: "r", placeholder: "id", description: "only this replica (e.g. web-1)" },
    tail: { type: "string", placeholder: "LINES", description: "the last LINES lines of each stream (default: the last 64 KiB)" },
    "limit-bytes": { type: "string", placeholder: "BYTES", description: "the last BYTES of each stream, 1-1048576 (default 65536)" },
    follow: { type: "boolean", short: "f", description: "keep printing new output until Ctrl-C" },
    since: { type: "string", placeholder: "DURATION|TIME", description: "only output newer than a duration (30s, 5m, 1h30m) or an RFC 3339 time" },
    timestamps: { type: "boolean", description: "prefix each line with its RFC 3339 time" },
    previous: { type: "boolean", short: "p", description: "the output of each replica's previous container (before its last restart)" },
  },
  examples: [
    "enc logs web",
    "enc logs web --replica web-2 --tail 20 --follow",
    "enc logs web --limit-bytes 4096",
    "enc logs web --since 10m --timestamps",
    "enc logs web --replica web-1 --previous",
  ],
  async run(ctx, { args, flags }) {
    const since = sinceFlag(flags.since);
    if (flags.previous && flags.follow) throw usageError("bad_flag_value", "--previous shows a container that has ended: it cannot be followed");
    const lines = intFlag(flags.tail, "tail", 0, 1_000_000);
    const bytes = intFlag(flags["limit-bytes"], "limit-bytes", 1, ALL);
    // Lines are counted here, on the whole stored output; bytes are cut by the server.
    const tail = lines !== undefined ? ALL : (bytes ?? 65_536);
    const cut = (text: string) => (lines === undefined ? text : lastLines(text, lines));
    const cluster = ctx.cluster(flags.cluster);
    const api = await ctx.client();
    const fetchLogs = async (n: number) => {
      const q = new URLSearchParams({ tail: String(n), ...(flags.replica ? { replica: flags.replica } : {}) });
      if (since) q.set("since", since);
      if (flags.previous) q.set("previous", "true");
      if (flags.timestamps) q.set("timestamps", "true");
      return (await api.get<{ logs: LogText[] }>(`${routes.workloadLogs(cluster, args.name)}?${q}`)).logs;
    };
    if (!flags.follow) {
      const logs = (await fetchLogs(tail)).map((l) => cutLog(l, cut(l.text)));
      if (ctx.json) return ctx.emit({ cluster, workload: args.name, logs });
      const out = new Printer(ctx, new Set(logs.map((l) => l.replica)).size > 1, !!flags.timestamps);
      for (const l of logs) out.write(l.replica, l.stream, l.text, l.offset, l.times);
      out.end();
      return;
    }
    return follow(ctx, fetchLogs, lines === undefined ? (text) => text.slice(-tail) : cut, !!flags.timestamps);
  },
});

/** --since: a duration back from now (1h30m, 90s, 250ms) or an RFC 3339 time, as RFC 3339. */
export function sinceFlag(value: string | undefined, now = Date.now()): string | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  const UNIT: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  if (/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(v)) {
    let ms = 0;
    for (const [, n, , u] of v.matchAll(/(\d+(\.\d+)?)(ms|s|m|h)/g)) ms += Number(n) * UNIT[u];
    return new Date(now - ms).toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(v) && !Number.isNaN(Date.parse(v))) return new Date(Date.parse(v)).toISOString();
  throw usageError("bad_flag_value", `--since must be a duration (30s, 5m, 1h30m) or an RFC 3339 time (2026-01-02T15:04:05Z), got ${JSON.stringify(value)}`);
}

/** A log cut to the end `text` of its text: where that text begins moves by the bytes cut. */
function cutLog(l: LogText, text: string): LogText {
  return { ...l, offset: l.offset + utf8.encode(l.text).length - utf8.encode(text).length, text };
}

/** The time of the stored chunk holding the byte at `offset`. */
function timeAt(times: Times, offset: number): string | undefined {
  let at: string | undefined;
  for (const t of times ?? []) if (t.offset <= offset) at = t.at;
  return at ?? times?.[0]?.at;
}

/** The last `n` lines of `text` (an unfinished last line counts as one). */
export function lastLines(text: string, n: number): string {
  if (n === 0) return "";
  const body = text.endsWith("\n") ? text.slice(0, -1) : text;
  const parts = body.split("\n");
  return parts.length <= n ? text : parts.slice(-n).join("\n") + (text.endsWith("\n") ? "\n" : "");
}

/**
 * Prints the last `tail` characters, then what each stream gained since. The API answers the tail
 * of each stream and where its stored output begins, so the end of a stream is offset + its byte
 * length whenever the answer holds the whole stored output.
 */
async function follow(ctx: Context, fetchLogs: (tail: number) => Promise<LogText[]>, first: (text: string) => string, stamps: boolean): Promise<void> {
  const ends = new Map<string, number>();
  const key = (l: LogText) => `${l.replica}\u0000${l.stream}`;
  const out = new Printer(ctx, true, stamps);
  const interrupt = interruptSignal();
  try {
    let logs = await fetchLogs(ALL);
    out.prefixed = new Set(logs.map((l) => l.replica)).size > 1;
    for (const l of logs) {
      ends.set(key(l), l.offset + utf8.encode(l.text).length);
      const c = cutLog(l, first(l.text));
      if (ctx.json) ctx.out(JSON.stringify(c));
      else out.write(c.replica, c.stream, c.text, c.offset, c.times);
    }
    while (!interrupt.signal.aborted) {
      await sleep(POLL_MS, interrupt.signal);
      if (interrupt.signal.aborted) break;
      logs = await fetchLogs(POLL_TAIL);
      // A tail that came back full may have cut what is new: ask for everything once.
      if (logs.some((l) => l.text.length >= POLL_TAIL)) logs = await fetchLogs(ALL);
      if (!out.prefixed && new Set(logs.map((l) => l.replica)).size > 1) out.prefixed = true;
      for (const l of logs) {
        const bytes = utf8.encode(l.text);
        const end = l.offset + bytes.length;
        const seen = ends.get(key(l)) ?? l.offset;
        ends.set(key(l), end);
        if (end <= seen) continue;
        const fresh = new TextDecoder().decode(bytes.subarray(Math.max(0, bytes.length - (end - seen))));
        if (ctx.json) ctx.out(JSON.stringify({ replica: l.replica, stream: l.stream, offset: seen, text: fresh, ...(l.times ? { times: l.times } : {}) }));
        else out.write(l.replica, l.stream, fresh, seen, l.times);
      }
    }
  } finally {
    interrupt.dispose();
    out.end();
  }
}

/** Writes container output to the matching stream, prefixing each line with its replica and time when asked. */
class Printer {
  /** Per replica and stream: whether the next character starts a line. */
  private readonly atLineStart = new Map<string, boolean>();

  constructor(
    private readonly ctx: Context,
    public prefixed: boolean,
    private readonly stamps = false,
  ) {}

  /** `offset`: where `text` begins in its stream, to find each line's time in `times`. */
  write(replica: string, stream: string, text: string, offset = 0, times?: Times): void {
    if (!text) return;
    const target = stream === "stderr" ? this.ctx.io.stderr : this.ctx.io.stdout;
    if (!this.prefixed && !this.stamps) {
      target.write(text);
      this.atLineStart.set(`${replica}\u0000${stream}`, text.endsWith("\n"));
      return;
    }
    const style = stream === "stderr" ? this.ctx.errStyle : this.ctx.style;
    const k = `${replica}\u0000${stream}`;
    const start = this.atLineStart.get(k) ?? true;
    const lines = text.split("\n");
    const last = lines.pop()!; // "" when the text ends a line
    const who = this.prefixed ? style.dim(`${replica} | `) : "";
    const prefix = (at: number) => {
      const t = this.stamps ? timeAt(times, at) : undefined;
      return who + (t ? `${t} ` : "");
    };
    let at = offset;
    let s = "";
    for (const [i, line] of lines.entries()) {
      s += (i === 0 && !start ? line : prefix(at) + line) + "\n";
      at += utf8.encode(line).length + 1;
    }
    if (last) s += (lines.length === 0 && !start ? "" : prefix(at)) + last;
    target.write(s);
    this.atLineStart.set(k, text.endsWith("\n"));
  }

  /** Ends an unfinished last line, so the shell prompt does not land on it. */
  end(): void {
    for (const [k, atStart] of this.atLineStart) {
      if (!atStart) (k.endsWith("\u0000stderr") ? this.ctx.io.stderr : this.ctx.io.stdout).write("\n");
      this.atLineStart.set(k, true);
    }
  }
}
