import { routes } from "../../protocol/routes.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import type { Context } from "../lib/context.ts";
import { intFlag } from "../lib/values.ts";
import { interruptSignal, sleep } from "../lib/workload-view.ts";

interface LogText {
  replica: string;
  stream: string;
  /** Where the server's stored output of this stream begins (bytes written before are gone). */
  offset: number;
  text: string;
}

/** The API's largest tail: the whole stored output (the server keeps about 1 MiB per stream). */
const ALL = 1 << 20;
/** What a --follow poll asks for; a stream that grew more than this in one second is refetched whole. */
const POLL_TAIL = 64 * 1024;
const POLL_MS = 1000;
const utf8 = new TextEncoder();

export default defineCommand({
  description:
    "The containers' stdout goes to stdout and their stderr to stderr, each line prefixed with its\n" +
    "replica when several replicas have output. --follow polls every second for new output until Ctrl-C.",
  args: { name: { description: "the workload", required: true } },
  flags: {
    ...CLUSTER_FLAG,
    replica: { type: "string", short: "r", placeholder: "id", description: "only this replica (e.g. web-1)" },
    tail: { type: "string", placeholder: "LINES", description: "the last LINES lines of each stream (default: the last 64 KiB)" },
    "limit-bytes": { type: "string", placeholder: "BYTES", description: "the last BYTES of each stream, 1-1048576 (default 65536)" },
    follow: { type: "boolean", short: "f", description: "keep printing new output until Ctrl-C" },
  },
  examples: ["enc logs web", "enc logs web --replica web-2 --tail 20 --follow", "enc logs web --limit-bytes 4096"],
  async run(ctx, { args, flags }) {
    const lines = intFlag(flags.tail, "tail", 0, 1_000_000);
    const bytes = intFlag(flags["limit-bytes"], "limit-bytes", 1, ALL);
    // Lines are counted here, on the whole stored output; bytes are cut by the server.
    const tail = lines !== undefined ? ALL : (bytes ?? 65_536);
    const cut = (text: string) => (lines === undefined ? text : lastLines(text, lines));
    const cluster = ctx.cluster(flags.cluster);
    const api = await ctx.client();
    const fetchLogs = async (n: number) => {
      const q = new URLSearchParams({ tail: String(n), ...(flags.replica ? { replica: flags.replica } : {}) });
      return (await api.get<{ logs: LogText[] }>(`${routes.workloadLogs(cluster, args.name)}?${q}`)).logs;
    };
    if (!flags.follow) {
      const logs = (await fetchLogs(tail)).map((l) => ({ ...l, text: cut(l.text) }));
      if (ctx.json) return ctx.emit({ cluster, workload: args.name, logs });
      const out = new Printer(ctx, new Set(logs.map((l) => l.replica)).size > 1);
      for (const l of logs) out.write(l.replica, l.stream, l.text);
      out.end();
      return;
    }
    return follow(ctx, fetchLogs, lines === undefined ? (text) => text.slice(-tail) : cut);
  },
});

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
async function follow(ctx: Context, fetchLogs: (tail: number) => Promise<LogText[]>, first: (text: string) => string): Promise<void> {
  const ends = new Map<string, number>();
  const key = (l: LogText) => `${l.replica}\u0000${l.stream}`;
  const out = new Printer(ctx, true);
  const interrupt = interruptSignal();
  try {
    let logs = await fetchLogs(ALL);
    out.prefixed = new Set(logs.map((l) => l.replica)).size > 1;
    for (const l of logs) {
      ends.set(key(l), l.offset + utf8.encode(l.text).length);
      if (ctx.json) ctx.out(JSON.stringify({ ...l, text: first(l.text) }));
      else out.write(l.replica, l.stream, first(l.text));
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
        if (ctx.json) ctx.out(JSON.stringify({ replica: l.replica, stream: l.stream, offset: seen, text: fresh }));
        else out.write(l.replica, l.stream, fresh);
      }
    }
  } finally {
    interrupt.dispose();
    out.end();
  }
}

/** Writes container output to the matching stream, prefixing each line with its replica when asked. */
class Printer {
  /** Per replica and stream: whether the next character starts a line. */
  private readonly atLineStart = new Map<string, boolean>();

  constructor(
    private readonly ctx: Context,
    public prefixed: boolean,
  ) {}

  write(replica: string, stream: string, text: string): void {
    if (!text) return;
    const target = stream === "stderr" ? this.ctx.io.stderr : this.ctx.io.stdout;
    if (!this.prefixed) {
      target.write(text);
      this.atLineStart.set(`${replica}\u0000${stream}`, text.endsWith("\n"));
      return;
    }
    const style = stream === "stderr" ? this.ctx.errStyle : this.ctx.style;
    const k = `${replica}\u0000${stream}`;
    const start = this.atLineStart.get(k) ?? true;
    const lines = text.split("\n");
    const last = lines.pop()!; // "" when the text ends a line
    const prefix = style.dim(`${replica} | `);
    let s = lines.map((line, i) => (i === 0 && !start ? line : prefix + line) + "\n").join("");
    if (last) s += (lines.length === 0 && !start ? "" : prefix) + last;
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
