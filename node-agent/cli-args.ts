// Checks of enc-agent's flag values beyond what the declarations type: required, numeric ranges,
// key=value labels. Parsing itself is the shared command model's (cli-kit/parse.ts).
import { AgentError } from "./agent-error.ts";

export function required(value: string | undefined, name: string): string {
  if (!value) throw new AgentError("usage", `--${name} is required`);
  return value;
}

export function num(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) throw new AgentError("usage", `--${name} must be a number from ${min} to ${max}, got ${value}`);
  return n;
}

/** `--label k=v` repeated → { k: v }. */
export function labels(values: string[], name = "label"): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of values) {
    const eq = kv.indexOf("=");
    if (eq <= 0) throw new AgentError("usage", `--${name} must look like key=value, got ${kv}`);
    out[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return out;
}
