import { visibleLength, type Style } from "./style.ts";

const pad = (s: string, width: number) => s + " ".repeat(Math.max(0, width - visibleLength(s)));

/** Columns padded to their widest cell; the last column is not padded (no trailing spaces). */
export function formatTable(headers: string[], rows: string[][], style: Style): string {
  const widths = headers.map((h, i) => Math.max(visibleLength(h), ...rows.map((r) => visibleLength(r[i] ?? ""))));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : pad(c, widths[i]))).join("  ").trimEnd();
  return [style.dim(line(headers)), ...rows.map(line)].join("\n") + "\n";
}

/** "Label   value" lines, labels aligned. */
export function formatPairs(pairs: Array<[string, string]>, style: Style): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${style.dim(pad(k, width))}  ${v}`).join("\n") + "\n";
}

/** Shortens long identifiers for tables; --json always carries them whole. */
export function short(s: string, keep = 12): string {
  return s.length <= keep * 2 + 1 ? s : `${s.slice(0, keep)}…${s.slice(-6)}`;
}
