import { describe, expect, it } from "vitest";
import { JcsError, canonicalBytes, canonicalize, canonicalizeWithBody, hashCanonical, toHex } from "../../protocol/index.ts";

describe("JCS (RFC 8785)", () => {
  it("serializes numbers as ECMAScript does (RFC 8785 §3.2.2.3 examples)", () => {
    const cases: Array<[number, string]> = [
      [0, "0"], [-0, "0"], [1, "1"], [-1, "-1"], [4.5, "4.5"], [0.002, "0.002"], [1e-7, "1e-7"],
      [0.000001, "0.000001"], [1e21, "1e+21"], [1e20, "100000000000000000000"], [1e30, "1e+30"],
      // eslint-disable-next-line no-loss-of-precision -- the vector is the rounding itself
      [333333333.33333329, "333333333.3333333"], [1e-27, "1e-27"], [9007199254740992, "9007199254740992"],
      [295147905179352830000, "295147905179352830000"], [5e-324, "5e-324"], [1.7976931348623157e308, "1.7976931348623157e+308"],
    ];
    for (const [n, s] of cases) expect(canonicalize(n)).toBe(s);
  });

  it("sorts keys by UTF-16 code units (RFC 8785 §3.2.3 example)", () => {
    const input = {
      "\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control", "\u00f6": "Latin Small Letter O With Diaeresis",
    };
    expect(canonicalize(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it("orders the members of objects small and large alike, whatever their insertion order", () => {
    // Small objects are insertion-sorted, larger ones use sort(): both must give sort()'s order
    // (UTF-16 code units), integer-like names and astral characters included.
    const pool = ["10", "9", "1", "a", "B", "_", "\ud83d\ude00", "\uff61", "\u00e9", "scores", "node", "replica", "nodeId", "penalty", "score"];
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let round = 0; round < 300; round++) {
      const names = [...pool].sort(() => rnd() - 0.5).slice(0, 1 + Math.floor(rnd() * pool.length));
      const obj: Record<string, number> = {};
      names.forEach((k, i) => (obj[k] = i));
      const expected = "{" + Object.keys(obj).sort().map((k) => JSON.stringify(k) + ":" + obj[k]).join(",") + "}";
      expect(canonicalize(obj)).toBe(expected);
      expect(canonicalize([{ x: obj }])).toBe(`[{"x":${expected}}]`);
    }
  });

  it("escapes minimally and keeps non-ASCII as UTF-8", () => {
    expect(canonicalize("\u0000\u001f\u007f\b\f\n\r\t\"\\/é")).toBe('"\\u0000\\u001f\u007f\\b\\f\\n\\r\\t\\"\\\\/é"');
    expect(toHex(canonicalBytes("é€"))).toBe("22c3a9e282ac22");
  });

  it("handles nesting, arrays, literals and empty containers", () => {
    expect(canonicalize({ b: [3, { d: null, c: false }], a: {}, e: [] })).toBe('{"a":{},"b":[3,{"c":false,"d":null}],"e":[]}');
    expect(canonicalize([true, "x", null])).toBe('[true,"x",null]');
  });

  it("treats undefined properties as absent (as they serialize on the wire)", () => {
    expect(canonicalize({ a: 1, b: undefined })).toBe('{"a":1}');
    expect(hashCanonical({ a: 1, b: undefined })).toBe(hashCanonical({ a: 1 }));
  });

  it("keeps a received __proto__ key as an ordinary field", () => {
    const parsed = JSON.parse('{"__proto__":{"x":1},"a":2}') as unknown;
    expect(canonicalize(parsed)).toBe('{"__proto__":{"x":1},"a":2}');
    expect(canonicalize(Object.assign(Object.create(null), { z: 1 }))).toBe('{"z":1}');
  });

  it("rejects what JSON cannot carry faithfully", () => {
    const bad: unknown[] = [NaN, Infinity, -Infinity, 1n, undefined, () => 1, Symbol("s"), new Date(0), new Map(),
      new Uint8Array(1), [undefined], { a: NaN }, "\ud800", "a\udc00b", { "\ud83d": 1 }];
    for (const v of bad) expect(() => canonicalize(v), String(typeof v)).toThrow(JcsError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalize(cyclic)).toThrow(/cycle/);
  });

  it("allows shared (non-cyclic) references", () => {
    const shared = { x: 1 };
    expect(canonicalize({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });

  it("names the path of a cycle below the top, and writes values nested deeper than the fast path goes", () => {
    const inner: Record<string, unknown> = { k: 1 };
    inner.back = { list: [inner] };
    expect(() => canonicalize({ a: inner })).toThrow(/cycle at \$\.a\.back\.list\[0\]/);
    expect(() => canonicalizeWithBody({ a: inner }, () => false)).toThrow(/cycle/);
    // Keys already in JCS order, so JSON.stringify gives the canonical text to compare with.
    let deep: unknown = { a: "é", z: 1.5 };
    for (let i = 0; i < 600; i++) deep = i % 2 ? [deep, -0] : { a: deep, b: i };
    expect(canonicalize(deep)).toBe(JSON.stringify(deep));
    expect(canonicalize({ a: [deep] })).toBe(JSON.stringify({ a: [deep] }));
  });

  it("canonicalizeWithBody: the whole object and the body without the named members, each as canonicalize gives it", () => {
    const obj = { z: 1, sig: "s", hash: "h", "é": [1, { b: 2, a: "\u2028" }], a: undefined, m: null, __proto__x: 0 };
    const outside = (k: string) => k === "hash" || k === "sig";
    const { hash: _h, sig: _s, ...body } = obj;
    expect(canonicalizeWithBody(obj, outside)).toEqual({ whole: canonicalize(obj), body: canonicalize(body) });
    expect(canonicalizeWithBody({ hash: "h" }, outside)).toEqual({ whole: '{"hash":"h"}', body: "{}" });
    // Refusals name the path, as canonicalize's do.
    expect(() => canonicalizeWithBody({ a: { b: NaN } }, outside)).toThrow(/non-finite number at \$\.a\.b/);
    expect(() => canonicalizeWithBody({ sig: "\ud800" }, outside)).toThrow(JcsError);
  });
});

