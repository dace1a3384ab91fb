import { EXEC_STDIN_MAX, type ExecView } from "../../protocol/api/exec.ts";
import { routes } from "../../protocol/routes.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import { CLIError, usageError } from "../lib/errors.ts";

export default defineCommand({
  description: [
    "The command runs in the replica's current container (as `runc exec`, with the container's user, env and working directory) on the node that runs it.",
    "The request is signed and audited (ReplicaExec, with the command but never stdin); it reaches the agent in its signed desired state, which the agent",
    "long-polls, so no poll interval is waited out: request to answer takes about 1 s (runc exec included). Exits with the command's exit code.",
    "Output is capped at 256 KiB per stream, stdin (-i) at 64 KiB. A terminal session (-t) is not relayed yet: -t is refused.",
  ].join("\n"),
  args: { replica: { description: "the replica, e.g. web-1 (see `enc ps`)", required: true } },
  rest: { name: "command", description: "the command and its arguments" },
  flags: {
    ...CLUSTER_FLAG,
    stdin: { type: "boolean", short: "i", description: "send this process's stdin to the command (read to its end first)" },
    tty: { type: "boolean", short: "t", description: "a terminal session (not supported yet; refused)" },
    timeout: { type: "string", placeholder: "S", default: "60", description: "the agent stops the command after S seconds (1–600, default 60)" },
  },
  examples: ["enc exec web-1 -- cat /etc/hostname", "echo hi | enc exec -i web-1 -- sh -c 'cat > /tmp/x'"],
  async run(ctx, { args, flags, rest }) {
    if (rest.length === 0) throw usageError("missing_command", "`enc exec` needs a command after `--`", "e.g. `enc exec web-1 -- ls /`");
    if (flags.tty) throw usageError("tty_unsupported", "a terminal session (-t) is not relayed yet; run single commands, with -i to pass input");
    const timeout = Number(flags.timeout);
    if (!Number.isInteger(timeout) || timeout < 1 || timeout > 600) throw usageError("bad_timeout", `--timeout must be whole seconds from 1 to 600, not ${JSON.stringify(flags.timeout)}`);
    const cluster = ctx.cluster(flags.cluster);
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
