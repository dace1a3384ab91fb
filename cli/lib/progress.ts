// Progress of long verifications, on stderr so stdout stays clean for results and --json:
// a redrawn bar on a terminal, plain lines otherwise (only when asked with --verbose).
import type { Stream } from "./io.ts";

export interface Progress {
  update(done: number, total: number | null): void;
  finish(): void;
}

const WIDTH = 28;
const NONE: Progress = { update() {}, finish() {} };

export function progress(stream: Stream, label: string, opts: { verbose: boolean }): Progress {
  if (stream.isTTY) return bar(stream, label);
  if (!opts.verbose) return NONE;
  return {
    update: (done, total) => stream.write(`${label}: ${done}${total ? `/${total}` : ""}\n`),
    finish() {},
  };
}

function bar(stream: Stream, label: string): Progress {
  let drawn = false;
  let last = 0;
  return {
    update(done, total) {
      const now = Date.now();
      // Redrawing on every block would cost more than verifying it.
      if (drawn && now - last < 50 && done !== total) return;
      last = now;
      drawn = true;
      const frac = total ? Math.min(1, done / total) : 0;
      const filled = Math.round(frac * WIDTH);
      const gauge = total ? `▕${"█".repeat(filled)}${" ".repeat(WIDTH - filled)}▏ ${done}/${total}` : `${done}`;
      stream.write(`\r\x1b[2K${label} ${gauge}`);
    },
    finish() {
      if (drawn) stream.write("\r\x1b[2K");
    },
  };
}
