// A log keeps resubmitting its checkpoint to a witness that fails (with back-off, and at once for
// each newer checkpoint): logging every attempt would bury other errors under identical lines.
// One line per witness and kind of failure, repeated while it lasts at most every REPEAT_LOG_MS.

/** While a witness keeps failing the same way, its failure is logged again this often. */
export const REPEAT_LOG_MS = 3_600_000;

/** The failure last logged for one witness. */
export interface ReportedFailure {
  kind: string;
  at: number;
}

/** Two failures are of one kind when their reasons differ only in numbers (sizes), an HTTP status aside. */
export const failureKind = (reason: string): string => reason.replace(/(?<!HTTP )\b\d+/g, "#");

/** Whether this failure is logged: the first of its kind since the last one logged, or a repeat an hour on. */
export function shouldReport(last: ReportedFailure | null | undefined, reason: string, now: number): boolean {
  return !last || last.kind !== failureKind(reason) || now - last.at >= REPEAT_LOG_MS;
}
