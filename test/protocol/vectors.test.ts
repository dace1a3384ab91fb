// Reproduces every section of test/vectors/protocol-v1.json (a copy of the shared vectors), with both Ed25519 backends.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import vectors from "../vectors/protocol-v1.json";
import {
  DOMAINS, blake3, canonicalize, decodeAddress, encodeAddress, fromHex, hashAuditEntry, hashReceipt, hashToText,
  inclusionProofText, logBlockHash, merkleRootText, publicKeyFromSeed, setEd25519Backend, signAuditEntry, signLogBlock,
  signReceipt, signRequest, signerFromHex, signingInput, textToHash, toHex, utf8, verifyAuditEntry, verifyInclusionText,
  verifyLogBlock, verifyReceipt, verifyRequest, AuditEntry, LogBlock, StepReceipt, ed25519Backend,
  type AuditEntryBody, type LogBlockBody, type StepReceiptBody,
} from "../../protocol/index.ts";

// Every top-level section and the fields of each entry: a new section or field in the vectors
// file makes this fail until a test covers it.
const SHAPE: Record<string, string[] | null> = {
  about: null,
  keys: ["address", "public_key", "seed"],
  blake3: ["hash", "input_utf8"],
  jcs: ["canonical", "input"],
  merkle: ["inclusion", "leaves", "root"],
  step_receipts: null, // receipts: checked by hashing all of their fields
  log_block: ["block", "block_hash", "inclusion", "receipt_hashes"],
  audit_entry: null,
  signing_input_example: ["domain", "hash", "message_hex"],
  http_signature: ["body", "headers", "method", "signer_seed", "url"],
};

// `_jcs_of_body` is a vector annotation, not a receipt field (verifiers hash every field).
function receiptOf(v: (typeof vectors.step_receipts)[number]): Record<string, unknown> {
  const { _jcs_of_body: _ignored, ...receipt } = v;
  return receipt;
}
const without = (o: Record<string, unknown>, ...keys: string[]) =>
  Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
// Which vector key plays which role (found by which key verifies; the file does not say).
const NODE = vectors.keys[0];
const NOTARY = vectors.keys[1];
const CONTROL_PLANE = vectors.keys[2];

describe("vectors file", () => {
  it("has exactly the sections and entry fields this suite covers", () => {
    expect(Object.keys(vectors).sort()).toEqual(Object.keys(SHAPE).sort());
    for (const [section, fields] of Object.entries(SHAPE)) {
      if (!fields) continue;
      const value = (vectors as Record<string, unknown>)[section];
      const entries = Array.isArray(value) ? value : [value];
      for (const e of entries) expect(Object.keys(e as object).sort(), section).toEqual(fields);
    }
  });
});

describe("keys", () => {
  it.each(vectors.keys)("seed $seed → public key and address", async (k) => {
    expect(toHex(publicKeyFromSeed(fromHex(k.seed)))).toBe(k.public_key);
    expect(encodeAddress(fromHex(k.public_key))).toBe(k.address);
    expect(toHex(decodeAddress(k.address))).toBe(k.public_key);
    const signer = await signerFromHex(k.seed);
    expect(signer.address).toBe(k.address);
    expect(toHex(signer.publicKey)).toBe(k.public_key);
  });
});

describe("blake3", () => {
  it.each(vectors.blake3)("$input_utf8", (v) => {
    expect(hashToText(blake3(utf8(v.input_utf8)))).toBe(v.hash);
  });
});

describe("jcs", () => {
  it.each(vectors.jcs)("$canonical", (v) => {
    expect(canonicalize(v.input)).toBe(v.canonical);
  });
});

describe("merkle", () => {
  it.each(vectors.merkle.map((m) => [m.leaves.length, m] as const))("%i leaves: root and every inclusion proof", (_n, m) => {
    expect(merkleRootText(m.leaves)).toBe(m.root);
    // Every leaf of a non-empty tree has a proof in the vectors.
    expect(m.inclusion.map((i) => i.leaf_index)).toEqual(m.leaves.map((_, i) => i));
    for (const inc of m.inclusion) {
      expect(inclusionProofText(m.leaves, inc.leaf_index)).toEqual(inc.path);
      expect(verifyInclusionText(m.leaves[inc.leaf_index], inc.leaf_index, m.leaves.length, inc.path, m.root)).toBe(true);
    }
  });
});

describe.each(["webcrypto", "noble"] as const)("signed objects (%s backend)", (backend) => {
  beforeAll(() => setEd25519Backend(backend));
  afterAll(() => setEd25519Backend("auto"));

  it("uses the requested backend", () => {
    expect(ed25519Backend()).toBe(backend);
  });

  it.each(vectors.step_receipts.map((r) => [r.op, r] as const))("step receipt %s: JCS, hash, signature", async (_op, v) => {
    const receipt = receiptOf(v);
    expect(canonicalize(without(receipt, "hash", "sig"))).toBe(v._jcs_of_body);
    expect(hashReceipt(receipt)).toBe(v.hash);
    expect(await verifyReceipt(receipt)).toEqual({ ok: true });
    expect(receipt.node).toBe(NODE.address);
    const signed = await signReceipt(without(receipt, "hash", "sig") as StepReceiptBody, await signerFromHex(NODE.seed));
    expect(signed).toEqual(receipt);
    expect(StepReceipt.parse(receipt)).toEqual(receipt);
  });

  it("receipts chain from genesis", () => {
    const rs = vectors.step_receipts;
    expect(rs[0].prev_hash).toBe("blake3:genesis");
    for (let i = 1; i < rs.length; i++) expect(rs[i].prev_hash).toBe(rs[i - 1].hash);
  });

  it("log block: hash, signature, merkle root, inclusion proofs", async () => {
    const { block, block_hash, receipt_hashes, inclusion } = vectors.log_block;
    expect(logBlockHash(block)).toBe(block_hash);
    expect(await verifyLogBlock(block)).toEqual({ ok: true });
    expect(await verifyLogBlock(block, NOTARY.address)).toEqual({ ok: true });
    expect(block.notary).toBe(NOTARY.address);
    const resigned = await signLogBlock(without(block, "sig_notary") as LogBlockBody, await signerFromHex(NOTARY.seed));
    expect(resigned).toEqual(block);
    expect(LogBlock.parse(block)).toEqual(block);
    expect(receipt_hashes).toEqual(vectors.step_receipts.map((r) => r.hash));
    expect(merkleRootText(receipt_hashes)).toBe(block.merkle_root);
    expect(block.count).toBe(receipt_hashes.length);
    expect(block.range).toEqual({ from_ts: vectors.step_receipts[0].ts, to_ts: vectors.step_receipts.at(-1)!.ts });
    expect(inclusion.map((i) => i.leaf_index)).toEqual(receipt_hashes.map((_, i) => i));
    for (const inc of inclusion) {
      expect(inc.tree_size).toBe(receipt_hashes.length);
      expect(inclusionProofText(receipt_hashes, inc.leaf_index)).toEqual(inc.path);
      expect(verifyInclusionText(receipt_hashes[inc.leaf_index], inc.leaf_index, inc.tree_size, inc.path, block.merkle_root)).toBe(true);
    }
  });

  it("audit entry: hash and control-plane signature", async () => {
    const e = vectors.audit_entry;
    expect(hashAuditEntry(e)).toBe(e.hash);
    expect(await verifyAuditEntry(e, CONTROL_PLANE.address)).toEqual({ ok: true });
    const resigned = await signAuditEntry(without(e, "hash", "sig") as AuditEntryBody, await signerFromHex(CONTROL_PLANE.seed));
    expect(resigned).toEqual(e);
    expect(AuditEntry.parse(e)).toEqual(e);
    expect(e.actor).toBe(vectors.keys[3].address);
  });

  it("signing input example", () => {
    const ex = vectors.signing_input_example;
    expect(ex.domain).toBe(DOMAINS.logBlock);
    expect(ex.hash).toBe(vectors.log_block.block_hash);
    expect(toHex(signingInput(ex.domain, ex.hash))).toBe(ex.message_hex);
    expect(toHex(textToHash(ex.hash))).toBe(ex.message_hex.slice(-64));
  });

  it("http signature: exact headers, and they verify", async () => {
    const h = vectors.http_signature;
    const input = h.headers["signature-input"];
    const created = Number(/;created=(\d+)/.exec(input)![1]);
    const expires = Number(/;expires=(\d+)/.exec(input)![1]);
    const nonce = /;nonce="([^"]*)"/.exec(input)![1];
    const signer = await signerFromHex(h.signer_seed);
    const headers = await signRequest({ method: h.method, url: h.url, body: h.body, signer, created, expires, nonce });
    expect(headers).toEqual(h.headers);
    const result = await verifyRequest({ method: h.method, url: h.url, headers: h.headers, body: utf8(h.body), now: created });
    expect(result).toEqual({ ok: true, keyid: signer.address, created, expires, nonce });
  });
});
