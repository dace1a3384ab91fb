// Body -> compiled agreements: parse (line/column), detect or take the given format, group
// documents that form one agreement, compile, locate every issue. The one implementation behind
// apply, diff and validate.
import { ALL_FORMATS, detectFormat, formatByType } from "./formats/index.ts";
import { locateIssues, parseDocuments } from "./parse.ts";
import type { AgreementFormat, AgreementType, CompileContext, CompiledAgreement, FieldIssue, SourceDocument } from "./types.ts";

export interface CompiledUnit {
  agreement: CompiledAgreement;
  /** the normalized documents (plain JSON) the version is made of, in body order */
  documents: unknown[];
}

export type BodyResult = { ok: true; units: CompiledUnit[] } | { ok: false; issues: FieldIssue[] };

/** `--target-nodes`: each workload may be placed on those nodes only (a placement constraint). */
function pinned(a: CompiledAgreement, nodes: string[] | undefined): CompiledAgreement {
  if (!nodes?.length) return a;
  return { ...a, target_nodes: nodes, workloads: a.workloads.map((w) => ({ ...w, constraints: { ...w.constraints, nodes } })) };
}

export function compileBody(text: string, ctx: CompileContext, type?: AgreementType): BodyResult {
  const parsed = parseDocuments(text);
  if (!parsed.ok) return parsed;
  const issues: FieldIssue[] = [];
  const byFormat = new Map<AgreementFormat, SourceDocument[]>();
  for (const doc of parsed.docs) {
    const format = type ? formatByType(type) : detectFormat(doc.value);
    if (!format || (type && !format.detect(doc.value))) {
      const at = doc.locate([]);
      const known = ALL_FORMATS().map((f) => f.type).join(", ");
      const message = type
        ? format
          ? `this document is not a ${type} agreement`
          : `no ${type} format in this control plane (known: ${known})`
        : `not an agreement ENC recognises (known formats: ${known})`;
      issues.push({ path: "", message, document: doc.index, ...(at ?? {}) });
      continue;
    }
    byFormat.set(format, [...(byFormat.get(format) ?? []), doc]);
  }
  if (issues.length) return { ok: false, issues };
  const units: { first: number; unit: CompiledUnit }[] = [];
  for (const [format, docs] of byFormat) {
    const groups = format.group ? format.group(docs).map((g) => g.map((i) => docs.find((d) => d.index === i)!)) : docs.map((d) => [d]);
    for (const group of groups) {
      const result = group.length === 1 || !format.compileGroup ? format.compile(group[0], ctx) : format.compileGroup(group, ctx);
      if (!result.ok) {
        // a group compile names the document of each issue; a single compile is about its one document
        for (const i of result.issues) {
          const d = group.find((g) => g.index === i.document) ?? group[0];
          issues.push(...locateIssues(d, [i]).map((x) => ({ ...x, document: d.index })));
        }
        continue;
      }
      units.push({ first: group[0].index, unit: { agreement: pinned(result.value, ctx.targetNodes), documents: group.map((d) => d.value) } });
    }
  }
  if (issues.length) return { ok: false, issues };
  const names = new Set<string>();
  for (const { unit } of units) {
    if (names.has(unit.agreement.name)) return { ok: false, issues: [{ path: "metadata.name", message: `two documents name the agreement ${unit.agreement.name}` }] };
    names.add(unit.agreement.name);
  }
  return { ok: true, units: units.sort((a, b) => a.first - b.first).map((u) => u.unit) };
}
