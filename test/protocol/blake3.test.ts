import { blake3 as nobleBlake3 } from "@noble/hashes/blake3.js";
import { describe, expect, it } from "vitest";
import { blake3Any, blake3Small, blake3SmallInto } from "../../protocol/blake3-small.ts";
import { GENESIS, blake3, hashCanonical, hashToText, textToHash, toHex } from "../../protocol/index.ts";

function pattern(len: number, seed: number): Uint8Array {
  const d = new Uint8Array(len);
  for (let i = 0; i < len; i++) d[i] = (i * 131 + seed * 7 + (i >> 8)) & 255;
  return d;
}

describe("blake3", () => {
  it("fast single-chunk path equals noble for every length 0..1024", () => {
    for (let len = 0; len <= 1024; len++) {
      const d = pattern(len, len);
      expect(toHex(blake3Small(d)), `length ${len}`).toBe(toHex(nobleBlake3(d)));
    }
  });

  it("blake3() equals noble across the one-chunk boundary and for large inputs", () => {
    for (const len of [1023, 1024, 1025, 2048, 2049, 5000, 100_000]) {
      const d = pattern(len, 3);
      expect(toHex(blake3(d))).toBe(toHex(nobleBlake3(d)));
    }
  });

  it("the chunk-tree path equals noble at every chunk and block boundary up to 9 chunks, and for 1 MB", () => {
    const lens = [0, 1, 64, 1024, 1025 * 3, 1024 * 1024 + 3];
    for (let c = 1; c <= 9; c++) for (const d of [-65, -64, -1, 0, 1, 63, 64, 65]) lens.push(c * 1024 + d);
    for (const len of lens) {
      const d = pattern(len, len);
      expect(toHex(blake3Any(d)), `length ${len}`).toBe(toHex(nobleBlake3(d)));
    }
    // The scratch state is shared: a small hash right after a large one is unaffected.
    expect(toHex(blake3Small(pattern(40, 1)))).toBe(toHex(nobleBlake3(pattern(40, 1))));
  });

  it("hashes concatenated parts, including empty ones, into an offset", () => {
    const out = new Uint8Array(40);
    const a = pattern(33, 1), b = pattern(0, 0), c = pattern(70, 2);
    blake3SmallInto([a, b, c], out, 8);
    expect(toHex(out.subarray(8))).toBe(toHex(nobleBlake3(new Uint8Array([...a, ...c]))));
    expect(() => blake3SmallInto([pattern(1025, 0)], out)).toThrow(RangeError);
  });

  it("hash text form is strict", () => {
    const raw = blake3(new Uint8Array(0));
    const text = hashToText(raw);
    expect(text).toBe("blake3:af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262");
    expect(toHex(textToHash(text))).toBe(toHex(raw));
    for (const bad of [GENESIS, text.toUpperCase(), "blake3:" + "A".repeat(64), text.slice(0, -1), text + "0", "sha256:" + "0".repeat(64), ""]) {
      expect(() => textToHash(bad)).toThrow(/blake3:<64 lowercase hex>/);
    }
    expect(() => hashToText(new Uint8Array(31))).toThrow();
  });

  it("hashCanonical is BLAKE3 of the JCS bytes", () => {
    expect(hashCanonical({ b: 2, a: 1 })).toBe(hashToText(nobleBlake3(new TextEncoder().encode('{"a":1,"b":2}'))));
  });
});
