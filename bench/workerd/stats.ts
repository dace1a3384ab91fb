export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

/** One figure per line, greppable: `BENCH <name> <value> <unit> [target]`. */
export function report(name: string, value: number, unit: string, target?: string): void {
  console.log(`BENCH ${name} ${value.toFixed(value >= 100 ? 0 : 3)} ${unit}${target ? `  (target ${target})` : ""}`);
}
