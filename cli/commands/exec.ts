import { EXEC_STDIN_MAX, type ExecView } from "../../protocol/api/exec.ts";
import type { ApiClient } from "../../protocol/api-client.ts";
import { openSocket } from "../../cli-kit/websocket.ts";
import type { Context as CliContext } from "../lib/context.ts";
import { routes } from "../../protocol/routes.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { CLIError, usageError } from "../lib/errors.ts";

export default defineCommand({
  description: [
    "The command runs in the replica's current container (as `runc exec`, with the container's user, env and working directory) on the node that runs it.",
    "The request is signed and audited (ReplicaExec, with the command but never stdin); it reaches the agent in its signed desired state, which the agent",
    "long-polls, so no poll interval is waited out: request to answer takes about 1 s (runc exec included). Exits with the command's exit code.",
    "Output is capped at 256 KiB per stream, stdin (-i) at 64 KiB.",
    "With -t the command runs on a terminal and streams both ways (with -i your input too, raw when this is a terminal) through a signed WebSocket relayed",
    "to the agent; the window size is sent at the start (a later resize is not relayed). Without -t, -i reads all input first.",
  ].join("\n"),
  args: { replica: { description: "the replica, e.g. web-1 (see `enc ps`)", required: true } },
  rest: { name: "command", description: "the command and its arguments" },
  flags: {
    ...CLUSTER_FLAG,
    stdin: { type: "boolean", short: "i", description: "send this process's stdin to the command (streamed with -t, else read to its end first)" },
    tty: { type: "boolean", short: "t", description: "run the command on a terminal and stream its output (with -i, an interactive session)" },
    timeout: { type: "string", placeholder: "S", description: "the agent stops the command after S seconds (1–600, default 60; with -t up to 3600, default 3600)" },
  },
  examples: ["enc exec web-1 -- cat /etc/hostname", "echo hi | enc exec -i web-1 -- sh -c 'cat > /tmp/x'", "enc exec -it web-1 -- sh"],
  async run(ctx, { args, flags, rest }) {
    if (rest.length === 0) throw usageError("missing_command", "`enc exec` needs a command after `--`", "e.g. `enc exec web-1 -- ls /`");
    const max = flags.tty ? 3600 : 600;
    const timeout = Number(flags.timeout ?? (flags.tty ? 3600 : 60));
    if (!Number.isInteger(timeout) || timeout < 1 || timeout > max) throw usageError("bad_timeout", `--timeout must be whole seconds from 1 to ${max}, not ${JSON.stringify(flags.timeout)}`);
    const cluster = ctx.cluster(flags.cluster);
    if (flags.tty) return terminalSession(ctx, await ctx.client(), cluster, args.replica, rest, timeout, Boolean(flags.stdin));
    const stdin = flags.stdin ? await readAll(ctx.io.stdin) : undefined;
    if (stdin && stdin.length > EXEC_STDIN_MAX) throw usageError("stdin_too_big", `stdin is ${stdin.length} bytes; exec takes at most ${EXEC_STDIN_MAX}`);
    const api = await ctx.client();
    let { exec } = await api.post<{ exec: ExecView }>(routes.execs(cluster), {
      replica: args.replica,
      command: rest,
      timeout_s: timeout,
      ...(stdin?.length ? { stdin: Buffer.from(stdin).toString("base64") } : {}),
    });
    while (exec.status !== "done") ({ exec } = await api.get<{ exec: ExecView }>(`${routes.exec(cluster, exec.id)}?wait=25`));
    const r = exec.result!;
    if (ctx.json) {
      ctx.emit({ cluster, exec });
    } else {
      if (r.stdout) ctx.io.stdout.write(Buffer.from(r.stdout, "base64").toString());
      if (r.stderr) ctx.io.stderr.write(Buffer.from(r.stderr, "base64").toString());
      if (r.truncated) ctx.note(ctx.errStyle.yellow("warning: output was cut at 256 KiB per stream"));
    }
    if (r.exit_code === null) throw new CLIError("exec_failed", `exec ${exec.id} on ${exec.replica} did not complete: ${r.error ?? "no exit code"}`);
    return r.exit_code;
  },
});

async function readAll(stdin: AsyncIterable<Uint8Array | string> | undefined): Promise<Uint8Array> {
  if (!stdin) return new Uint8Array();
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of stdin) {
    const b = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk);
    parts.push(b);
    n += b.length;
    if (n > EXEC_STDIN_MAX) break;
  }
  return Buffer.concat(parts);
}

/**
 * `enc exec -t`: the exec is ordered with `tty: true`, then this process attaches to its relay with
 * a signed WebSocket upgrade and passes bytes until the agent closes the session. The exit code is
 * read from the exec's record (the agent's signed outcome), not from the socket.
 */
async function terminalSession(ctx: CliContext, api: ApiClient, cluster: string, replica: string, command: string[], timeout: number, interactive: boolean): Promise<number> {
  const out = ctx.io.stdout as { write(b: string | Uint8Array): unknown; columns?: number; rows?: number };
  const size = out.columns && out.rows ? { cols: out.columns, rows: out.rows } : {};
  let { exec } = await api.post<{ exec: ExecView }>(routes.execs(cluster), { replica, command, timeout_s: timeout, tty: true, ...size });
  const stdin = ctx.io.stdin;
  const raw = interactive && stdin?.isTTY === true && typeof stdin.setRawMode === "function";
  let reading = false;
  const conn: { ws?: Awaited<ReturnType<typeof openSocket>> } = {};
  let readyEarly = false;
  // Attached before the handshake ends: `ready` may come with the 101 answer itself.
  const onMessage = (data: Buffer, binary: boolean) => {
    if (binary) {
      out.write(data);
      return;
    }
    if (String(data) !== JSON.stringify({ t: "ready" }) || reading || !interactive || !stdin) return;
    if (!conn.ws) {
      readyEarly = true;
      return;
    }
    startInput();
  };
  const startInput = () => {
    // Raw: keys (Ctrl-C included) go to the remote terminal, which does the line editing and signals.
    reading = true;
    if (raw) stdin!.setRawMode!(true);
    const sock = conn.ws!;
    void (async () => {
      try {
        for await (const chunk of stdin!) {
          if (sock.readyState !== sock.OPEN) break;
          sock.send(typeof chunk === "string" ? Buffer.from(chunk) : chunk, { binary: true });
        }
        if (sock.readyState === sock.OPEN) sock.send(JSON.stringify({ t: "eof" }));
      } catch {
        // input closed under us (the session ended and stdin was let go): nothing more to send
      }
    })();
  };
  const ws = await openSocket(await api.build("GET", routes.execAttach(cluster, exec.id)), onMessage).catch((err: Error) => {
    throw new CLIError("attach_failed", `could not attach to exec ${exec.id}: ${err.message}`);
  });
  conn.ws = ws;
  if (readyEarly && !reading) startInput();
  await new Promise<void>((resolve) => {
    ws.once("close", () => resolve());
    ws.once("error", () => resolve());
    // The agent's signed outcome is final: if it comes while the socket is still open (the agent
    // could not attach, or the command ended without closing its side), stop waiting for bytes.
    void (async () => {
      let view = exec;
      while (view.status !== "done" && ws.readyState !== ws.CLOSED) {
        view = (await api.get<{ exec: ExecView }>(`${routes.exec(cluster, exec.id)}?wait=25`).catch(() => ({ exec: view }))).exec;
      }
      if (ws.readyState !== ws.CLOSED) ws.close(1000, "the exec has ended");
    })();
  });
  if (raw) stdin.setRawMode!(false);
  if (interactive) stdin?.destroy?.(); // a read still pending would keep this process alive
  while (exec.status !== "done") ({ exec } = await api.get<{ exec: ExecView }>(`${routes.exec(cluster, exec.id)}?wait=25`));
  const r = exec.result!;
  if (r.exit_code === null) throw new CLIError("exec_failed", `exec ${exec.id} on ${exec.replica} did not complete: ${r.error ?? "no exit code"}`);
  return r.exit_code;
}
