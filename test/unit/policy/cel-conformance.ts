// Runs the cel-spec conformance data shipped in @bufbuild/cel-spec through @bufbuild/cel, the CEL
// evaluator the policies use (domain/policy). Adapted from cel-es's own runner
// (packages/cel/src/testing.ts), using only the package's public exports: a test whose result
// needs the (unexported) type checker counts as failed, as do the extensions the evaluator lacks.
import { celEnv, celList, celMap, celUint, isCelError, isCelList, isCelMap, isCelType, isCelUint, CelScalar, listType, mapType, objectType, parse, plan } from "@bufbuild/cel";
import type { CelInput, CelResult, CelValue } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import { create, equals, type Registry } from "@bufbuild/protobuf";
import { anyPack, anyUnpack, NullValue } from "@bufbuild/protobuf/wkt";
import { isReflectMessage } from "@bufbuild/protobuf/reflect";
import { ValueSchema, type MapValue, type Value } from "@bufbuild/cel-spec/cel/expr/value_pb.js";
import { getConformanceSuite, type IncrementalTest, type IncrementalTestSuite } from "@bufbuild/cel-spec/testdata/tests.js";
import { getTestRegistry } from "@bufbuild/cel-spec/testdata/registry.js";

export interface ConformanceResult {
  total: number;
  passed: number;
  /** "suite/sub/test" of every test that failed */
  failed: string[];
}

export function runConformance(): ConformanceResult {
  const registry = getTestRegistry();
  const out: ConformanceResult = { total: 0, passed: 0, failed: [] };
  const walk = (s: IncrementalTestSuite, prefix: string[]) => {
    for (const sub of s.suites) walk(sub, [...prefix, sub.name]);
    for (const t of s.tests) {
      out.total++;
      let ok = false;
      try {
        ok = runOne(t, registry);
      } catch {
        ok = false;
      }
      if (ok) out.passed++;
      else out.failed.push([...prefix, t.name].join("/"));
    }
  };
  walk(getConformanceSuite(), []);
  return out;
}

function runOne(t: IncrementalTest, registry: Registry): boolean {
  const tc = t.original;
  const env = celEnv({ registry, namespace: tc.container, funcs: strings });
  const run = plan(env, parse(tc.expr));
  const bindings: Record<string, CelInput> = {};
  for (const [k, v] of Object.entries(tc.bindings)) {
    if (v.kind.case !== "value") return false;
    bindings[k] = toCel(v.kind.value, registry);
  }
  const result = run(bindings);
  switch (tc.resultMatcher.case) {
    case "value":
      return sameValue(registry, result, tc.resultMatcher.value);
    case "evalError":
    case "anyEvalErrors":
      return isCelError(result);
    case undefined:
      return result === true;
    default:
      // typedResult needs the type checker, which @bufbuild/cel does not export
      return false;
  }
}

function sameValue(registry: Registry, result: CelResult, value: Value): boolean {
  if (isCelError(result)) return false;
  const actual = create(ValueSchema, fromCel(result));
  sortDeep(actual);
  sortDeep(value);
  return equals(ValueSchema, actual, value, { registry, unpackAny: true });
}

function fromCel(value: CelValue): any {
  switch (typeof value) {
    case "number":
      return { kind: { case: "doubleValue", value } };
    case "boolean":
      return { kind: { case: "boolValue", value } };
    case "bigint":
      return { kind: { case: "int64Value", value } };
    case "string":
      return { kind: { case: "stringValue", value } };
  }
  if (value === null) return { kind: { case: "nullValue", value: NullValue.NULL_VALUE } };
  if (value instanceof Uint8Array) return { kind: { case: "bytesValue", value } };
  if (isCelUint(value)) return { kind: { case: "uint64Value", value: value.value } };
  if (isCelType(value)) return { kind: { case: "typeValue", value: value.name } };
  if (isCelList(value)) return { kind: { case: "listValue", value: { values: Array.from(value).map(fromCel) } } };
  if (isCelMap(value)) {
    return { kind: { case: "mapValue", value: { entries: Array.from(value.entries()).map(([k, v]) => ({ key: fromCel(k), value: fromCel(v) })) } } };
  }
  if (isReflectMessage(value)) return { kind: { case: "objectValue", value: anyPack(value.desc, value.message) } };
  throw new Error(`unrecognised CEL value ${String(value)}`);
}

function toCel(value: Value, registry: Registry): CelInput {
  switch (value.kind.case) {
    case "nullValue":
      return null;
    case "uint64Value":
      return celUint(value.kind.value);
    case "listValue":
      return celList(value.kind.value.values.map((e) => toCel(e, registry)));
    case "objectValue": {
      const unpacked = anyUnpack(value.kind.value, registry);
      if (unpacked === undefined) throw new Error(`unknown object ${value.kind.value.typeUrl}`);
      return unpacked;
    }
    case "mapValue": {
      const map = new Map<string | bigint | boolean, CelInput>();
      for (const e of value.kind.value.entries) map.set(toCel(e.key!, registry) as string, toCel(e.value!, registry));
      return celMap(map);
    }
    case "typeValue":
      return typeNamed(value.kind.value, registry);
    case "enumValue":
      return BigInt(value.kind.value.value);
    case undefined:
      throw new Error("empty value");
    default:
      return value.kind.value as CelInput;
  }
}

function typeNamed(name: string, registry: Registry) {
  const scalars: Record<string, CelInput> = {
    int: CelScalar.INT, uint: CelScalar.UINT, double: CelScalar.DOUBLE, bool: CelScalar.BOOL, string: CelScalar.STRING,
    bytes: CelScalar.BYTES, null_type: CelScalar.NULL, type: CelScalar.TYPE,
    list: listType(CelScalar.DYN), map: mapType(CelScalar.DYN, CelScalar.DYN),
  };
  if (name in scalars) return scalars[name];
  const desc = registry.getMessage(name);
  if (!desc) throw new Error(`unknown type ${name}`);
  return objectType(desc);
}

function sortDeep(value: Value): void {
  if (value.kind.case === "listValue") for (const e of value.kind.value.values) sortDeep(e);
  if (value.kind.case === "mapValue") sortMap(value.kind.value);
}

function sortMap(m: MapValue): void {
  const keyOf = (v: Value | undefined) => {
    const k = v?.kind;
    if (!k || !["boolValue", "stringValue", "int64Value", "uint64Value"].includes(k.case ?? "")) throw new Error("bad map key");
    return k.value as string | boolean | bigint;
  };
  m.entries.sort((a, b) => {
    const x = keyOf(a.key), y = keyOf(b.key);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}
