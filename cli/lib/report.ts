// Turns whatever a command threw into a message and an exit code. Users see the problem's own
// words (title, detail, field); a stack trace only with ENC_DEBUG=1.
import { ApiError } from "../../protocol/api-client.ts";
import { CLIError } from "./errors.ts";
import type { IO } from "./io.ts";
import { styleFor } from "./style.ts";

export function reportError(err: unknown, io: IO, json: boolean): number {
  const s = styleFor(io.stderr, io.env);
  const debug = io.env.ENC_DEBUG === "1";
  let code = "internal";
  let message = err instanceof Error ? err.message : String(err);
  let hint: string | undefined;
  let exit = 1;
  let problem: ApiError["problem"] | undefined;
  let status: number | undefined;
  if (err instanceof CLIError) {
    ({ code, message, hint } = err);
    exit = err.exitCode;
  } else if (err instanceof ApiError) {
    code = "api_error";
    status = err.status;
    problem = err.problem;
    const title = problem.title ?? `HTTP ${status}`;
    message = problem.detail ? `${title} (${status}): ${problem.detail}` : `${title} (${status})`;
    if (problem.field) hint = `field: ${problem.field}`;
    else if (status === 401) hint = "The request signature was refused: check your clock and wallet.";
  }
  if (json) {
    io.stderr.write(JSON.stringify({ error: { code, message, ...(hint ? { hint } : {}), ...(status ? { status, problem } : {}) } }, null, 2) + "\n");
  } else {
    io.stderr.write(`${s.red("error:")} ${message}\n`);
    if (hint) io.stderr.write(`${s.dim(hint)}\n`);
  }
  if (debug && err instanceof Error && err.stack) io.stderr.write(err.stack + "\n");
  return exit;
}
