import { blake3 } from "@noble/hashes/blake3.js";
import { describe, expect, it } from "vitest";
import { fromHex, toHex, utf8 } from "../../../protocol/bytes.ts";
import { qlockBind, qlockKeyFromSecret, qlockMac, qlockVerify, qlockWindow } from "../../../domain/resolver/qlock.ts";

const key = fromHex("42".repeat(32));
const T = Date.parse("2026-01-15T10:02:30.000Z"); // 1768471350 s; window 5894904 of 300 s
const subject = { wallet: "bpi1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnzs23v9ccrydpk8qarc0jqsr9jkz", host: "app.example.com", path: "/api/v1", now: T };

describe("QLOCK session binding", () => {
  it("computes the window and its bounds", () => {
    expect(qlockWindow(T)).toBe(Math.floor(1768471350 / 300));
    const b = qlockBind(key, subject);
    expect(b.alg).toBe("blake3-keyed");
    expect(b.window_start).toBe("2026-01-15T10:00:00.000Z");
    expect(b.window_end).toBe("2026-01-15T10:05:00.000Z");
    expect(b.token).toMatch(/^qlock1:[0-9a-f]{64}$/);
  });
  it("is BLAKE3 keyed over the JCS bytes documented in QLOCK.md", () => {
    const w = qlockWindow(T);
    const jcs = `{"host":"app.example.com","path":"/api/v1","v":1,"wallet":"${subject.wallet}","window":${w}}`;
    const expected = toHex(blake3(utf8(jcs), { key }));
    expect(qlockBind(key, subject).token).toBe(`qlock1:${expected}`);
    expect(toHex(qlockMac(key, { wallet: subject.wallet, host: subject.host, path: subject.path, window: w }))).toBe(expected);
    const anon = `{"host":"h.example","path":"/","v":1,"wallet":null,"window":1}`;
    expect(toHex(qlockMac(key, { wallet: null, host: "h.example", path: "/", window: 1 }))).toBe(toHex(blake3(utf8(anon), { key })));
  });
  it("verifies in the same window and the neighbouring ones (skew 1)", () => {
    const { token } = qlockBind(key, subject);
    expect(qlockVerify(key, token, subject)).toBe(true);
    expect(qlockVerify(key, token, { ...subject, now: T + 299_000 })).toBe(true);
    expect(qlockVerify(key, token, { ...subject, now: T - 300_000 })).toBe(true);
    expect(qlockVerify(key, token, { ...subject, now: T + 600_000 })).toBe(false);
    expect(qlockVerify(key, token, { ...subject, now: T + 299_000, skewWindows: 0 })).toBe(false);
    expect(qlockVerify(key, token, { ...subject, now: new Date(T) })).toBe(true);
  });
  it("fails for another wallet, host, path, key, window length or a tampered token", () => {
    const { token } = qlockBind(key, subject);
    expect(qlockVerify(key, token, { ...subject, wallet: null })).toBe(false);
    expect(qlockVerify(key, token, { ...subject, host: "evil.example.com" })).toBe(false);
    expect(qlockVerify(key, token, { ...subject, path: "/api/v2" })).toBe(false);
    expect(qlockVerify(fromHex("43".repeat(32)), token, subject)).toBe(false);
    expect(qlockVerify(key, token, { ...subject, windowS: 60 })).toBe(false);
    const flipped = token.slice(0, -1) + (token.endsWith("0") ? "1" : "0");
    expect(qlockVerify(key, flipped, subject)).toBe(false);
    for (const bad of [token.toUpperCase(), token.slice(7), `blake3:${token.slice(7)}`, "", null, 42, token + "00"])
      expect(qlockVerify(key, bad, subject)).toBe(false);
  });
  it("refuses keys that are not 32 bytes and bad windows", () => {
    expect(() => qlockBind(new Uint8Array(16), subject)).toThrow(TypeError);
    expect(() => qlockBind(key, { ...subject, windowS: 0 })).toThrow(RangeError);
    expect(() => qlockBind(key, { ...subject, now: NaN })).toThrow(RangeError);
  });
  it("derives a key from a Worker secret", () => {
    expect(toHex(qlockKeyFromSecret("ab".repeat(32)))).toBe("ab".repeat(32));
    const k = qlockKeyFromSecret("a long enough passphrase");
    expect(k).toHaveLength(32);
    expect(toHex(k)).toBe(toHex(blake3(utf8("a long enough passphrase"), { context: utf8("enc 2026 qlock v1 session-binding key") })));
    expect(() => qlockKeyFromSecret("short")).toThrow(RangeError);
  });
});
