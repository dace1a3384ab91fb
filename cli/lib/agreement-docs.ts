// Reading agreement documents for `enc apply|diff|agreement …`: a file, every *.yaml|*.yml|*.json
// of a directory (sorted), or stdin (`-`). The CLI sends them raw; the control plane parses,
// validates and compiles them (one implementation), so errors come back with line and column.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { ApiClient } from "../../protocol/api-client.ts";
import { ApiError } from "../../protocol/api-client.ts";
import { CLIError, usageError } from "./errors.ts";
import type { Context } from "./context.ts";

export interface DocFile {
  /** what to call it in messages: the path, or "stdin" */
  label: string;
  text: string;
  contentType: string;
  /** the agreement's name for formats without one (Compose): the file's base name */
  name?: string;
}

export const AGREEMENT_TYPES = ["cue-yaml", "compose", "cue-cage", "cue-tree", "docklock", "k8s"] as const;

export const DOC_FLAGS = {
  file: { type: "string", short: "f", placeholder: "FILE|DIR|-", description: "the document(s): a file, a directory of *.yaml/*.yml/*.json, or - for stdin" },
  type: { type: "string", placeholder: "TYPE", description: `the format (detected when absent): ${AGREEMENT_TYPES.join(", ")}` },
  name: { type: "string", placeholder: "NAME", description: "the agreement's name for documents without one (default for Compose: the file's base name)" },
} as const;

const nameOf = (file: string) => {
  const base = path.basename(file).replace(/\.(ya?ml|json)$/i, "").toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "");
  // compose's own file names say nothing about the project: use the directory, as Compose does
  if (/^(docker-)?compose(\..*)?$/.test(base)) return path.basename(path.dirname(path.resolve(file))).toLowerCase().replace(/[^a-z0-9-]+/g, "-");
  return base || undefined;
};

const typeOf = (file: string) => (/\.json$/i.test(file) ? "application/json" : "application/yaml");

async function readStdin(ctx: Context): Promise<string> {
  if (!ctx.io.stdin) throw new CLIError("no_stdin", "-f - reads stdin, and there is none");
  let text = "";
  const dec = new TextDecoder();
  for await (const chunk of ctx.io.stdin) text += typeof chunk === "string" ? chunk : dec.decode(chunk, { stream: true });
  return text;
}

export async function readDocs(ctx: Context, file: string | undefined, name?: string): Promise<DocFile[]> {
  if (!file) throw usageError("missing_file", "give the document with -f FILE, -f DIR or -f - (stdin)");
  if (file === "-") {
    const text = await readStdin(ctx);
    return [{ label: "stdin", text, contentType: text.trimStart().startsWith("{") ? "application/json" : "application/yaml", ...(name ? { name } : {}) }];
  }
  let st;
  try {
    st = statSync(file);
  } catch {
    throw new CLIError("no_file", `cannot read ${file}: no such file or directory`);
  }
  const files = st.isDirectory()
    ? readdirSync(file).filter((f) => /\.(ya?ml|json)$/i.test(f)).sort().map((f) => path.join(file, f))
    : [file];
  if (files.length === 0) throw new CLIError("no_documents", `${file} holds no *.yaml, *.yml or *.json file`);
  return files.map((f) => {
    const n = name ?? nameOf(f);
    return { label: f, text: readFileSync(f, "utf8"), contentType: typeOf(f), ...(n ? { name: n } : {}) };
  });
}

/** The query string of a document request. */
export function docQuery(params: Record<string, string | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== false) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** Sends one file's documents; a refusal names the file, line and column. */
export async function sendDoc<T>(api: ApiClient, doc: DocFile, path: string): Promise<T> {
  try {
    return await api.sendText<T>("POST", path, doc.text, doc.contentType);
  } catch (e) {
    if (e instanceof ApiError && e.status === 422) {
      const p = e.problem as { detail?: string; line?: number; column?: number; errors?: { field: string; message: string; line?: number; column?: number; document?: number }[] };
      const lines = (p.errors ?? []).map((x) => `  ${doc.label}${x.line !== undefined ? `:${x.line}:${x.column}` : ""}: ${x.field !== "body" ? `${x.field}: ` : ""}${x.message}`);
      throw new CLIError("invalid_agreement", `${doc.label}${p.line !== undefined ? `:${p.line}:${p.column}` : ""}: ${p.detail ?? "invalid"}${lines.length > 1 ? `\n${lines.join("\n")}` : ""}`);
    }
    throw e;
  }
}
