import { describe, expect, it } from "vitest";
import vectors from "../vectors/protocol-v1.json";
import { parseDictionary, serializeInnerList, Token } from "../../protocol/structured-fields.ts";
import {
  AuditEntry, InclusionProof, LogBlock, StepReceipt, concatBytes, fromBase64, fromBase64Url, fromHex, isIso, isoNow,
  parseIso, randomBytes, toBase64, toBase64Url, toHex, toIso, utf8, fromUtf8,
} from "../../protocol/index.ts";
import { utf8View } from "../../protocol/bytes.ts";

describe("bytes", () => {
  it("utf8View: the bytes utf8 gives, in a buffer reused by the next call (which may grow it)", () => {
    const texts = ["", "ascii", "é€😀 \u0000", "x".repeat(70_000) + "€", "€".repeat(30_000)];
    for (const t of texts) expect(Array.from(utf8View(t))).toEqual(Array.from(utf8(t)));
    const a = utf8View("abc");
    const b = utf8View("xyz");
    expect(a.buffer).toBe(b.buffer);
    expect(fromUtf8(a)).toBe("xyz");
    // past its cap (256 KiB) a string gets bytes of its own, and the shared buffer does not grow
    const big = "€".repeat(100_000);
    const own = utf8View(big);
    expect(own.length).toBe(300_000);
    expect(own.buffer).not.toBe(utf8View("abc").buffer);
    expect(utf8View("abc").buffer.byteLength).toBeLessThanOrEqual(256 << 10);
  });
  it("hex", () => {
    expect(toHex(Uint8Array.of(0, 15, 16, 255))).toBe("000f10ff");
    expect(toHex(fromHex("000F10ff"))).toBe("000f10ff");
    expect(fromHex("")).toEqual(new Uint8Array(0));
    for (const bad of ["abc", "zz", "0x00", "0 ", "g0"]) expect(() => fromHex(bad)).toThrow();
  });

  it("base64 (standard, padded) and base64url (nonces)", () => {
    expect(toBase64(utf8("ab"))).toBe("YWI=");
    expect(fromUtf8(fromBase64("YWI="))).toBe("ab");
    for (const bad of ["YWI", "YW=I", "Y*I="]) expect(() => fromBase64(bad)).toThrow();
    expect(toBase64Url(utf8("nonce-0001"))).toBe("bm9uY2UtMDAwMQ");
    expect(fromUtf8(fromBase64Url("bm9uY2UtMDAwMQ"))).toBe("nonce-0001");
  });

  it("concat, utf8 and random bytes", () => {
    expect(toHex(concatBytes(Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3)))).toBe("010203");
    expect(() => fromUtf8(Uint8Array.of(0xff))).toThrow();
    expect(randomBytes(0)).toHaveLength(0);
    expect(randomBytes(70_000)).toHaveLength(70_000);
    expect(toHex(randomBytes(16))).not.toBe(toHex(randomBytes(16)));
    expect(() => randomBytes(-1)).toThrow();
  });
});

describe("time", () => {
  it("formats and checks RFC 3339 UTC milliseconds", () => {
    expect(toIso(Date.UTC(2026, 0, 15, 10))).toBe("2026-01-15T10:00:00.000Z");
    expect(isIso(isoNow())).toBe(true);
    expect(parseIso("2026-01-15T10:00:01.250Z")).toBe(Date.UTC(2026, 0, 15, 10, 0, 1, 250));
    for (const bad of ["2026-01-15T10:00:00Z", "2026-01-15T10:00:00.000+00:00", "2026-02-30T00:00:00.000Z",
      "2026-01-15t10:00:00.000z", "2026-01-15T24:00:00.000Z", "2026-01-15T10:00:00.0000Z", " 2026-01-15T10:00:00.000Z", 5]) {
      expect(isIso(bad), String(bad)).toBe(false);
    }
    expect(() => toIso(NaN)).toThrow();
    expect(() => toIso(Date.UTC(10000, 0, 1))).toThrow(/RFC 3339/);
    expect(() => parseIso("yesterday")).toThrow();
  });
});

describe("schemas", () => {
  const { _jcs_of_body: _x, ...receipt } = vectors.step_receipts[2];

  it("accept every vector object and keep unknown fields", () => {
    for (const r of vectors.step_receipts) {
      const { _jcs_of_body: _j, ...clean } = r;
      expect(StepReceipt.parse(clean)).toEqual(clean);
    }
    expect(StepReceipt.parse({ ...receipt, future: { a: 1 } })).toMatchObject({ future: { a: 1 } });
    expect(StepReceipt.parse({ ...receipt, op: "checkpoint", resource: { ...receipt.resource, gpu_ms: 1 } }).resource).toHaveProperty("gpu_ms", 1);
    expect(LogBlock.parse({ ...vectors.log_block.block, extra: true })).toHaveProperty("extra", true);
    expect(AuditEntry.parse({ ...vectors.audit_entry, actor: "system" }).actor).toBe("system");
    expect(InclusionProof.parse({ cluster: "prod", app: "web-api", height: 1, ...vectors.log_block.inclusion[0] })).toBeTruthy();
  });

  it("reject malformed receipts with a useful message", () => {
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ v: 2 }, /v/],
      [{ op: "Create" }, /\^\[a-z\]/],
      [{ node: receipt.node.toUpperCase() }, /must be lowercase/],
      [{ ts: "2026-01-15T10:00:00Z" }, /RFC 3339/],
      [{ prev_hash: "genesis" }, /blake3|genesis/],
      [{ resource: { ...receipt.resource, cpu_ms: 1.5 } }, /int/i],
      [{ resource: { ...receipt.resource, memory_mb_s: -1 } }, />=0|too small/i],
      [{ labels: { a: 1 } }, /string/],
      [{ exit_code: 0.5 }, /int/i],
      [{ image: "sha256:abc" }, /sha256/],
      [{ witness_root: "blake3:genesis" }, /blake3/],
      [{ hash: undefined }, /hash/],
      [{ sig: "ed25519:00" }, /ed25519/],
    ];
    for (const [change, message] of bad) {
      const r = StepReceipt.safeParse({ ...receipt, ...change });
      expect(r.success, JSON.stringify(change)).toBe(false);
      expect(JSON.stringify(r.error?.issues), JSON.stringify(change)).toMatch(message);
    }
  });

  it("reject malformed blocks, audit entries and proofs", () => {
    const block = vectors.log_block.block;
    expect(LogBlock.safeParse({ ...block, count: 0 }).success).toBe(false);
    expect(LogBlock.safeParse({ ...block, height: 0 }).success).toBe(false);
    expect(LogBlock.safeParse({ ...block, range: { from_ts: block.range.to_ts, to_ts: block.range.from_ts } }).success).toBe(false);
    expect(LogBlock.safeParse({ ...block, sig_notary: undefined }).success).toBe(false);
    expect(AuditEntry.safeParse({ ...vectors.audit_entry, seq: 0 }).success).toBe(false);
    expect(AuditEntry.safeParse({ ...vectors.audit_entry, actor: "root" }).success).toBe(false);
    expect(AuditEntry.safeParse({ ...vectors.audit_entry, event: "cluster_created" }).success).toBe(false);
    expect(InclusionProof.safeParse({ cluster: "p", app: "a", height: 1, leaf_index: 3, tree_size: 3, path: [] }).success).toBe(false);
  });
});

describe("structured fields", () => {
  it("parses dictionaries with inner lists, params and byte sequences", () => {
    const d = parseDictionary('a=("x" "y");n=1;s="q\\"";t=tok;b, c=:AAE=:,  d=?0');
    const a = d.get("a");
    expect(a?.kind).toBe("list");
    if (a?.kind === "list") {
      expect(a.items.map((i) => i.value)).toEqual(["x", "y"]);
      expect(a.params.get("s")).toBe('q"');
      expect((a.params.get("t") as Token).name).toBe("tok");
      expect(a.params.get("b")).toBe(true);
      expect(serializeInnerList(a)).toBe('("x" "y");n=1;s="q\\"";t=tok;b');
    }
    expect(d.get("c")).toMatchObject({ kind: "item", value: Uint8Array.of(0, 1) });
    expect(d.get("d")).toMatchObject({ value: false });
    for (const bad of ["a=", "a=(", "A=1", "a=1,", 'a="\\x"', "a=1 b=2"]) expect(() => parseDictionary(bad), bad).toThrow();
  });
});
