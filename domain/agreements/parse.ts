// Reading an agreement body: YAML (multi-document, merge keys for Compose anchors) or JSON (a YAML
// subset, so one parser gives both the same line/column errors). Runs in workerd: the `yaml`
// package is pure JS.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from "yaml";
import type { FieldIssue, SourceDocument } from "./types.ts";

export type Parsed = { ok: true; docs: SourceDocument[] } | { ok: false; issues: FieldIssue[] };

/** Documents beyond this are refused: one apply is one reviewable change, not a bulk import. */
export const MAX_DOCUMENTS = 64;

/** Aliases expand at most this often (a "billion laughs" body is refused, not expanded). */
const MAX_ALIAS_COUNT = 200;

/**
 * Splits a dotted path into segments, numbers for sequence indexes. A key that itself holds dots
 * (compose labels "com.example.tier") is matched greedily by `locate`, so splitting is safe here.
 */
export function pathSegments(path: string): (string | number)[] {
  if (!path) return [];
  return path.split(".").map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

export function joinPath(segments: readonly (string | number)[]): string {
  return segments.map(String).join(".");
}

function position(lc: LineCounter, offset: number): { line: number; column: number } {
  const p = lc.linePos(offset);
  return { line: p.line, column: p.col };
}

/** The node (or pair key) a path names, walking maps by key (greedy on dotted keys) and seqs by index. */
function locateIn(doc: Document, lc: LineCounter, path: readonly (string | number)[]): { line: number; column: number } | undefined {
  let node: unknown = doc.contents;
  const root = doc.contents as Node | null;
  let at: { line: number; column: number } | undefined = root?.range ? position(lc, root.range[0]) : undefined;
  let rest = path.map(String);
  while (rest.length > 0) {
    if (isMap(node)) {
      const map = node;
      let found = false;
      // the longest run of segments that is one key: "labels.com.example.tier" -> key "com.example.tier"
      for (let take = rest.length; take >= 1 && !found; take--) {
        const key = rest.slice(0, take).join(".");
        for (const item of map.items) {
          if (!isPair(item)) continue;
          const k = isScalar(item.key) ? String(item.key.value) : undefined;
          if (k !== key) continue;
          const keyNode = item.key as Node;
          if (keyNode?.range) at = position(lc, keyNode.range[0]);
          node = item.value;
          rest = rest.slice(take);
          found = true;
          break;
        }
      }
      if (!found) return at;
    } else if (isSeq(node)) {
      const i = Number(rest[0]);
      const item = Number.isInteger(i) ? node.items[i] : undefined;
      if (!item) return at;
      if ((item as Node).range) at = position(lc, (item as Node).range![0]);
      node = item;
      rest = rest.slice(1);
    } else {
      return at;
    }
  }
  return at;
}

/** Parses a body into documents. Empty documents (a trailing `---`) are skipped. */
export function parseDocuments(text: string): Parsed {
  const lineCounter = new LineCounter();
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, { merge: true, lineCounter, prettyErrors: true, uniqueKeys: true }) as Document.Parsed[];
  } catch (e) {
    return { ok: false, issues: [{ path: "", message: `not YAML or JSON: ${(e as Error).message}` }] };
  }
  if (!Array.isArray(docs)) docs = [docs as Document.Parsed];
  const issues: FieldIssue[] = [];
  for (const d of docs) {
    for (const e of d.errors) {
      const [start] = e.linePos ?? [];
      issues.push({ path: "", message: e.message.split("\n")[0], ...(start ? { line: start.line, column: start.col } : {}) });
    }
  }
  if (issues.length) return { ok: false, issues };
  const out: SourceDocument[] = [];
  for (const d of docs) {
    if (d.contents === null || (isScalar(d.contents) && d.contents.value === null)) continue;
    let value: unknown;
    try {
      value = d.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      const at = d.contents?.range ? position(lineCounter, d.contents.range[0]) : undefined;
      return { ok: false, issues: [{ path: "", message: (e as Error).message, ...(at ?? {}) }] };
    }
    const index = out.length;
    out.push({ index, value, locate: (path) => locateIn(d, lineCounter, path) });
  }
  if (out.length === 0) return { ok: false, issues: [{ path: "", message: "the body holds no document" }] };
  if (out.length > MAX_DOCUMENTS) return { ok: false, issues: [{ path: "", message: `at most ${MAX_DOCUMENTS} documents per request, got ${out.length}` }] };
  return { ok: true, docs: out };
}

/** Fills line/column of issues from the document they are about. */
export function locateIssues(doc: SourceDocument, issues: readonly FieldIssue[]): FieldIssue[] {
  return issues.map((i) => {
    if (i.line !== undefined) return i;
    const at = doc.locate(pathSegments(i.path));
    return at ? { ...i, ...at } : i;
  });
}

/** zod issues as FieldIssues: an unknown key is named itself ("ENC cannot honour"), not its parent. */
export function schemaIssues(
  issues: readonly { path: readonly PropertyKey[]; message: string; code?: string; keys?: readonly string[] }[],
  prefix: readonly (string | number)[] = [],
): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const i of issues) {
    const base = [...prefix, ...i.path.map((p) => (typeof p === "number" ? p : String(p)))];
    if (i.code === "unrecognized_keys" && i.keys?.length) {
      for (const k of i.keys) out.push({ path: joinPath([...base, k]), message: "unsupported field: ENC cannot honour it, so it is refused rather than dropped" });
    } else {
      out.push({ path: joinPath(base), message: i.message });
    }
  }
  return out;
}
