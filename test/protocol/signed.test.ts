import { describe, expect, it } from "vitest";
import vectors from "../vectors/protocol-v1.json";
import {
  DOMAINS, GENESIS, computeHash, hashReceipt, logBlockHash, signAuditEntry, signHash, signLogBlock, signReceipt,
  signerFromHex, signingInput, textToSig, toHex, verifyAuditEntry, verifyLogBlock, verifyReceipt, verifyReceiptEntry, verifySignature, canonicalize,
  type AuditEntryBody, type LogBlockFields, type StepReceipt, type StepReceiptBody,
} from "../../protocol/index.ts";

const [nodeKey, notaryKey, cpKey, userKey] = vectors.keys;
const { _jcs_of_body: _a, ...vectorReceipt } = vectors.step_receipts[2];
const receipt = vectorReceipt as StepReceipt;
const body = (): StepReceiptBody => {
  const { hash: _h, sig: _s, ...rest } = receipt;
  return rest as StepReceiptBody;
};

describe("step receipts", () => {
  it("sign then verify, and the node defaults to the signer", async () => {
    const signer = await signerFromHex(nodeKey.seed);
    const { node: _n, ...noNode } = body();
    const signed = await signReceipt(noNode, signer);
    expect(signed.node).toBe(nodeKey.address);
    expect(signed).toEqual(receipt);
    expect(await verifyReceipt(signed)).toEqual({ ok: true });
  });

  it("refuses to sign for another node", async () => {
    await expect(signReceipt(body(), await signerFromHex(userKey.seed))).rejects.toThrow(/not the signer/);
  });

  it("ignores stale hash/sig on the input when signing", async () => {
    const signed = await signReceipt({ ...body(), hash: "blake3:" + "0".repeat(64), sig: "x" } as StepReceiptBody, await signerFromHex(nodeKey.seed));
    expect(signed).toEqual(receipt);
  });

  it("detects a tampered field", async () => {
    const tampered = { ...receipt, resource: { ...receipt.resource, cpu_ms: 1 } };
    expect(await verifyReceipt(tampered)).toMatchObject({ ok: false, reason: /hash does not match its body/ });
  });

  it("detects a tampered field even with a recomputed hash", async () => {
    const tampered = { ...receipt, exit_code: 1 };
    tampered.hash = hashReceipt(tampered);
    expect(await verifyReceipt(tampered)).toMatchObject({ ok: false, reason: /signature does not verify/ });
  });

  it("covers unknown and optional fields: adding or removing one breaks the hash", async () => {
    expect(await verifyReceipt({ ...receipt, extra: "x" })).toMatchObject({ ok: false, reason: /hash does not match/ });
    const { exit_code: _e, ...noExit } = receipt;
    expect(await verifyReceipt(noExit)).toMatchObject({ ok: false, reason: /hash does not match/ });
  });

  it("signs and verifies future fields, which then stay covered", async () => {
    const signer = await signerFromHex(nodeKey.seed);
    const signed = await signReceipt({ ...body(), gpu_ms: 7, witness_root: GENESIS.replace("genesis", "a".repeat(64)) }, signer);
    expect(await verifyReceipt(signed)).toEqual({ ok: true });
    expect(await verifyReceipt({ ...signed, gpu_ms: 8 })).toMatchObject({ ok: false });
  });

  it("undefined optional fields hash like absent ones", () => {
    expect(hashReceipt({ ...receipt, image: undefined })).toBe(receipt.hash);
  });

  it("rejects a signature made under another domain", async () => {
    const signer = await signerFromHex(nodeKey.seed);
    const wrong = { ...receipt, sig: await signHash(DOMAINS.auditEntry, receipt.hash, signer) };
    expect(await verifyReceipt(wrong)).toMatchObject({ ok: false, reason: /signature does not verify.*enc\/step-receipt\/v1/ });
    // The message really differs only in the domain prefix.
    expect(await verifySignature(signer.publicKey, signingInput(DOMAINS.auditEntry, receipt.hash), textToSig(wrong.sig))).toBe(true);
  });

  it("rejects a signature by a key other than node", async () => {
    expect(await verifyReceipt({ ...receipt, node: userKey.address })).toMatchObject({ ok: false, reason: /hash does not match/ });
    const signer = await signerFromHex(userKey.seed);
    const other = { ...receipt, sig: await signHash(DOMAINS.stepReceipt, receipt.hash, signer) };
    expect(await verifyReceipt(other)).toMatchObject({ ok: false, reason: /signature does not verify for node/ });
  });

  it("gives specific reasons for malformed receipts", async () => {
    const cases: Array<[unknown, RegExp]> = [
      [null, /must be a JSON object/],
      [[receipt], /must be a JSON object/],
      [{ ...receipt, sig: undefined }, /has no sig/],
      [{ ...receipt, sig: receipt.sig.toUpperCase() }, /sig is not ed25519:<128 lowercase hex>/],
      [{ ...receipt, sig: receipt.sig.slice(0, -2) }, /sig is not ed25519/],
      [{ ...receipt, hash: undefined }, /hash is not blake3/],
      [{ ...receipt, hash: "blake3:genesis" }, /hash is not blake3/],
      [{ ...receipt, node: undefined }, /node is missing/],
      [{ ...receipt, node: receipt.node.toUpperCase() }, /node is not a valid address: address must be lowercase/],
      [{ ...receipt, labels: { x: NaN } }, /cannot be canonicalized/],
    ];
    for (const [r, reason] of cases) expect(await verifyReceipt(r), String(reason)).toMatchObject({ ok: false, reason });
    // The notary's variant refuses alike, with the same reasons.
    for (const [r, reason] of cases) expect(await verifyReceiptEntry(r), String(reason)).toMatchObject({ ok: false, reason });
  });

  it("verifyReceiptEntry also gives the receipt's JCS (its C2SP log entry), and refuses what verifyReceipt refuses", async () => {
    expect(await verifyReceiptEntry(receipt)).toEqual({ ok: true, entry: canonicalize(receipt) });
    // A co-signature member (sig_…) is outside the hash but inside the entry.
    const cosigned = { ...receipt, sig_extra: "x", labels: { "é": "\u2028", a: [1, { z: 1, b: null }] } };
    const { hash: _h, sig: _s, sig_extra: _x, ...rest } = cosigned;
    const signed = { ...(await signReceipt(rest as unknown as StepReceiptBody, await signerFromHex(nodeKey.seed))), sig_extra: "x" };
    expect(await verifyReceiptEntry(signed)).toEqual({ ok: true, entry: canonicalize(signed) });
    expect(await verifyReceiptEntry({ ...signed, labels: {} })).toMatchObject({ ok: false, reason: /hash does not match/ });
    expect(await verifyReceiptEntry({ ...signed, sig: `ed25519:${"0".repeat(128)}` })).toMatchObject({ ok: false, reason: /signature does not verify/ });
  });

  it("computeHash leaves out exactly the named fields", () => {
    expect(computeHash({ a: 1, hash: "h", sig: "s" }, ["hash", "sig"])).toBe(computeHash({ a: 1 }, []));
    expect(computeHash({ a: 1, hash: "h" }, ["sig"])).not.toBe(computeHash({ a: 1 }, []));
  });
});

describe("audit entries", () => {
  const entry = vectors.audit_entry;

  it("verify only against the control-plane key", async () => {
    expect(await verifyAuditEntry(entry, cpKey.address)).toEqual({ ok: true });
    expect(await verifyAuditEntry(entry, entry.actor)).toMatchObject({ ok: false, reason: /does not verify for control-plane key/ });
    expect(await verifyAuditEntry(entry, "bpi1nope")).toMatchObject({ ok: false, reason: /not a valid address/ });
  });

  it("detect tampering and chain fields being covered", async () => {
    expect(await verifyAuditEntry({ ...entry, seq: 2 }, cpKey.address)).toMatchObject({ ok: false, reason: /hash does not match/ });
    expect(await verifyAuditEntry({ ...entry, details: {} }, cpKey.address)).toMatchObject({ ok: false });
    const { hash: _h, sig: _s, ...b } = entry;
    const resigned = await signAuditEntry({ ...b, actor: "system" } as AuditEntryBody, await signerFromHex(cpKey.seed));
    expect(await verifyAuditEntry(resigned, cpKey.address)).toEqual({ ok: true });
    expect(resigned.hash).not.toBe(entry.hash);
  });
});

describe("log blocks", () => {
  const block = vectors.log_block.block;

  it("verify, optionally against an expected notary", async () => {
    expect(await verifyLogBlock(block, notaryKey.address)).toEqual({ ok: true });
    expect(await verifyLogBlock(block, cpKey.address)).toMatchObject({ ok: false, reason: /not the expected notary/ });
  });

  it("hash covers everything but sig_notary", async () => {
    expect(logBlockHash({ ...block, sig_notary: "x" })).toBe(vectors.log_block.block_hash);
    expect(await verifyLogBlock({ ...block, count: 4 })).toMatchObject({ ok: false, reason: /signature does not verify/ });
    expect(await verifyLogBlock({ ...block, hash: vectors.log_block.block_hash })).toMatchObject({ ok: false });
  });

  it("reject a notary swap and a missing signature", async () => {
    const signer = await signerFromHex(cpKey.seed);
    const { sig_notary: _s, notary: _n, ...rest } = block;
    const b = rest as Omit<LogBlockFields, "notary">;
    const byOther = await signLogBlock(b, signer);
    expect(await verifyLogBlock(byOther)).toEqual({ ok: true });
    expect(await verifyLogBlock({ ...byOther, notary: notaryKey.address })).toMatchObject({ ok: false });
    expect(await verifyLogBlock({ ...block, sig_notary: undefined })).toMatchObject({ ok: false, reason: /has no sig_notary/ });
    await expect(signLogBlock({ ...b, notary: notaryKey.address }, signer)).rejects.toThrow(/not the signer/);
  });

  it("signing input is domain, newline, raw hash", () => {
    const input = signingInput(DOMAINS.logBlock, vectors.log_block.block_hash);
    expect(toHex(input)).toBe(vectors.signing_input_example.message_hex);
    expect(() => signingInput(DOMAINS.logBlock, "blake3:genesis")).toThrow();
  });
});
