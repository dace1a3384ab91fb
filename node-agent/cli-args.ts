// A small, strict argv parser for enc-agent: `--flag value`, `--flag=value`, repeatable flags,
// boolean switches, positionals. Unknown flags are errors, never silently ignored.
import { AgentError } from "./agent-error.ts";

export interface FlagSpec {
  /** takes a value (default) or is a switch */
  boolean?: boolean;
  repeat?: boolean;
}

export interface Parsed {
  flags: Record<string, string | string[] | boolean | undefined>;
  positionals: string[];
}

export function parseArgs(argv: string[], spec: Record<string, FlagSpec>): Parsed {
  const flags: Parsed["flags"] = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith("--") || a === "--") {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const s = spec[name];
    if (!s) throw new AgentError("usage", `unknown flag --${name}`);
    if (s.boolean) {
      if (eq >= 0) throw new AgentError("usage", `--${name} takes no value`);
      flags[name] = true;
      continue;
    }
    const value = eq >= 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new AgentError("usage", `--${name} needs a value`);
    if (s.repeat) flags[name] = [...((flags[name] as string[] | undefined) ?? []), value];
    else flags[name] = value;
  }
  return { flags, positionals };
}

export const str = (p: Parsed, name: string): string | undefined => p.flags[name] as string | undefined;

export function required(p: Parsed, name: string): string {
  const v = str(p, name);
  if (!v) throw new AgentError("usage", `--${name} is required`);
  return v;
}

export function num(p: Parsed, name: string, min: number, max: number): number | undefined {
  const v = str(p, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new AgentError("usage", `--${name} must be a number from ${min} to ${max}, got ${v}`);
  return n;
}

/** `--label k=v` repeated → { k: v }. */
export function labels(p: Parsed, name = "label"): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of (p.flags[name] as string[] | undefined) ?? []) {
    const eq = kv.indexOf("=");
    if (eq <= 0) throw new AgentError("usage", `--${name} must look like key=value, got ${kv}`);
    out[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return out;
}
