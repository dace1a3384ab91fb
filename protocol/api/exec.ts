// `enc exec`: a command run inside one replica's container by the agent that runs it. The user's
// signed request is queued in the ClusterDO, reaches the agent as an order in its signed desired
// state (so the agent runs only what the control plane ordered), and the agent posts the outcome
// back on its own signed channel; the user's long-poll returns it.
import { z } from "zod";

/** Output is capped on both sides; what is cut is marked `truncated`. */
export const EXEC_OUTPUT_MAX = 256 * 1024;
export const EXEC_STDIN_MAX = 64 * 1024;
/** A command's own limit; a terminal session (tty) may stay open longer than a one-shot command. */
export const EXEC_TIMEOUT_MAX_S = 600;
export const EXEC_TTY_TIMEOUT_MAX_S = 3600;

const ReplicaId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,150}$/, "a replica id, e.g. web-0 (see `enc ps`)");
const Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, "base64");

export const ExecRequest = z
  .object({
    replica: ReplicaId,
    command: z.array(z.string().max(4096)).min(1).max(256),
    /** base64 of what the command reads on stdin (at most 64 KiB decoded) */
    stdin: Base64.max(Math.ceil(EXEC_STDIN_MAX / 3) * 4).optional(),
    /** the agent kills the command after this long */
    timeout_s: z.number().int().min(1).max(EXEC_TTY_TIMEOUT_MAX_S).default(60),
    /**
     * A terminal session: the command runs on a pseudo-terminal and both sides attach to
     * `…/execs/{id}/attach` (WebSocket, signed upgrade) to stream input and output.
     */
    tty: z.boolean().default(false),
    /** the terminal's size at the start (a later resize is not relayed) */
    cols: z.number().int().min(1).max(1000).optional(),
    rows: z.number().int().min(1).max(1000).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.tty && r.stdin !== undefined) ctx.addIssue({ code: "custom", path: ["stdin"], message: "a terminal session (tty) streams its input; send none up front" });
    if (!r.tty && r.timeout_s > EXEC_TIMEOUT_MAX_S) ctx.addIssue({ code: "custom", path: ["timeout_s"], message: `at most ${EXEC_TIMEOUT_MAX_S} s, or ${EXEC_TTY_TIMEOUT_MAX_S} s for a terminal session (tty)` });
  })
  .meta({ id: "ExecRequest" });
export type ExecRequest = z.infer<typeof ExecRequest>;

/** What the agent reports: the command's exit code (null if it could not run), its output. */
export const ExecOutcome = z
  .object({
    exit_code: z.number().int().nullable(),
    stdout: Base64.max(Math.ceil(EXEC_OUTPUT_MAX / 3) * 4 + 4).default(""),
    stderr: Base64.max(Math.ceil(EXEC_OUTPUT_MAX / 3) * 4 + 4).default(""),
    truncated: z.boolean().default(false),
    /** why the command did not run or did not finish (no container, timed out, …) */
    error: z.string().max(2000).optional(),
    container: z.string().max(200).optional(),
  })
  .strict()
  .meta({ id: "ExecOutcome" });
export type ExecOutcome = z.infer<typeof ExecOutcome>;
export type ExecOutcomeInput = z.input<typeof ExecOutcome>;

export const ExecView = z
  .object({
    id: z.string(),
    replica: z.string(),
    node: z.string(),
    command: z.array(z.string()),
    status: z.enum(["queued", "done"]),
    /** a terminal session: attach to stream it (output then never lands in `result`) */
    tty: z.boolean(),
    requested_by: z.string(),
    requested_at: z.string(),
    expires_at: z.string(),
    finished_at: z.string().nullable(),
    result: ExecOutcome.nullable(),
  })
  .meta({ id: "ExecView" });
export type ExecView = z.infer<typeof ExecView>;

/**
 * Control frames of a terminal session, sent as WebSocket text frames (data goes in binary
 * frames): the relay says `ready` to both sides once both are attached (the agent starts the
 * command only then, the user sends input only then); the user sends `eof` when its input ends.
 * The agent closes its socket when the command ends; its exit code is the signed ExecOutcome.
 */
export const ExecControlFrame = z
  .discriminatedUnion("t", [z.object({ t: z.literal("ready") }).strict(), z.object({ t: z.literal("eof") }).strict()])
  .meta({ id: "ExecControlFrame" });
export type ExecControlFrame = z.infer<typeof ExecControlFrame>;
