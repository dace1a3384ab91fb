import type { IO, Stream } from "./io.ts";

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  ok: string;
  fail: string;
}

const sgr = (open: number, close: number) => (s: string) => `\x1b[${open}m${s}\x1b[${close}m`;
const plain = (s: string) => s;

/** Colors only for a terminal, and never when NO_COLOR is set to a non-empty value (no-color.org). */
export function styleFor(stream: Stream, env: IO["env"]): Style {
  const color = stream.isTTY === true && !env.NO_COLOR;
  const c = color
    ? { bold: sgr(1, 22), dim: sgr(2, 22), green: sgr(32, 39), red: sgr(31, 39), yellow: sgr(33, 39) }
    : { bold: plain, dim: plain, green: plain, red: plain, yellow: plain };
  return { ...c, ok: c.green("✓"), fail: c.red("✗") };
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

/** Display width, ignoring color codes (so colored cells still align). */
export function visibleLength(s: string): number {
  return s.replace(ANSI, "").length;
}
