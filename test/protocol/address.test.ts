import { bech32, bech32m } from "@scure/base";
import { describe, expect, it } from "vitest";
import vectors from "../vectors/protocol-v1.json";
import { AddressError, decodeAddress, encodeAddress, fromHex, isAddress } from "../../protocol/index.ts";

const key = vectors.keys[0];
const pk = fromHex(key.public_key);

function expectRejected(addr: unknown, message: RegExp) {
  expect(() => decodeAddress(addr as string)).toThrow(AddressError);
  expect(() => decodeAddress(addr as string)).toThrow(message);
  expect(isAddress(addr)).toBe(false);
}

describe("address", () => {
  it("round-trips every vector key and is 62 characters", () => {
    for (const k of vectors.keys) {
      expect(encodeAddress(fromHex(k.public_key))).toBe(k.address);
      expect(k.address).toHaveLength(62);
      expect(isAddress(k.address)).toBe(true);
    }
  });

  it("rejects a bech32 (non-m) checksum", () => {
    const legacy = bech32.encode("bpi", bech32.toWords(pk));
    expectRejected(legacy, /bech32 \(BIP-173\) checksum/);
  });

  it("rejects mixed case", () => {
    const mixed = key.address.slice(0, 10) + key.address.slice(10, 20).toUpperCase() + key.address.slice(20);
    expectRejected(mixed, /mixes upper and lower case/);
  });

  it("rejects the all-uppercase form (one canonical spelling per key)", () => {
    expectRejected(key.address.toUpperCase(), /must be lowercase/);
  });

  it("rejects another HRP", () => {
    expectRejected(bech32m.encode("bc", bech32m.toWords(pk)), /HRP "bpi".*"bc"/);
    expectRejected(bech32m.encode("bpix", bech32m.toWords(pk)), /HRP/);
    expectRejected("no-separator", /HRP/);
  });

  it("rejects data of any length but 32 bytes", () => {
    for (const n of [0, 1, 31, 33, 40]) {
      const addr = bech32m.encode("bpi", bech32m.toWords(new Uint8Array(n).fill(7)), false);
      expectRejected(addr, new RegExp(`32-byte public key, got ${n} bytes`));
    }
  });

  it("rejects a corrupted checksum or character", () => {
    const last = key.address.at(-1) === "q" ? "p" : "q";
    expectRejected(key.address.slice(0, -1) + last, /not valid bech32m/);
    expectRejected(key.address.slice(0, 20) + "b" + key.address.slice(21), /not valid bech32m/); // 'b' is not in the charset
    expectRejected(key.address.slice(0, -1), /not valid bech32m|32-byte/);
  });

  it("rejects non-zero padding bits", () => {
    const words = bech32m.toWords(pk);
    words[words.length - 1] |= 1; // 256 bits in 52 words leave 4 padding bits in the last word
    expectRejected(bech32m.encode("bpi", words), /padding/i);
  });

  it("rejects non-strings, empty and overlong input", () => {
    expectRejected(undefined, /must be a string/);
    expectRejected(42, /must be a string/);
    expectRejected("", /HRP/);
    expectRejected("bpi1" + "q".repeat(100), /62 characters/);
  });

  it("refuses to encode anything but a 32-byte key", () => {
    expect(() => encodeAddress(new Uint8Array(33))).toThrow(AddressError);
  });
});
