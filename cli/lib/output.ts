// `-o table|wide|json|yaml` for every command: json and yaml print the same document --json
// prints (stable keys), wide adds columns where a command has more to show. Decided in main()
// before parsing, like --json, so that errors follow the chosen format too.
import { usageError } from "./errors.ts";

export const FORMATS = ["table", "wide", "json", "yaml", "k8s"] as const;
export type OutputFormat = (typeof FORMATS)[number];

/** The -o/--output value among the program's own words (before `--`), checked. */
export function outputFormat(own: string[]): OutputFormat {
  let value: string | undefined;
  for (let i = 0; i < own.length; i++) {
    const a = own[i]!;
    if (a === "-o" || a === "--output") value = own[i + 1];
    else if (a.startsWith("--output=")) value = a.slice("--output=".length);
    else if (/^-o[a-z]/.test(a)) value = a.slice(2);
  }
  if (own.includes("--json")) return "json";
  if (value === undefined) return "table";
  if (!(FORMATS as readonly string[]).includes(value)) throw usageError("bad_output", `-o ${JSON.stringify(value)} is not an output format; choose one of: ${FORMATS.join(", ")}`);
  return value as OutputFormat;
}

/** YAML for JSON data: block style, strings quoted when YAML would read them as something else. */
export function toYaml(value: unknown, indent = ""): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "string") return yamlString(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return value.map((v) => `\n${indent}- ${toYaml(v, indent + "  ")}`.replace(/- \n/, "-\n")).join("");
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return "{}";
  // A non-empty map or list starts on the next line, indented under its key or dash.
  return entries.map(([k, v]) => `\n${indent}${yamlKey(k)}: ${toYaml(v, indent + "  ")}`.replace(/: \n/, ":\n")).join("");
}

const PLAIN = /^[A-Za-z_/][A-Za-z0-9_./@+-]*$/;
const RESERVED = /^(true|false|yes|no|on|off|null|~|y|n)$/i;

function yamlString(s: string): string {
  return PLAIN.test(s) && !RESERVED.test(s) ? s : JSON.stringify(s);
}

function yamlKey(k: string): string {
  return PLAIN.test(k) && !RESERVED.test(k) ? k : JSON.stringify(k);
}
