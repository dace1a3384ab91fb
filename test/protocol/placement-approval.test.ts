// PROTOCOL.md §9: the placement_approval vector of protocol-v1.1.json, and the quorum rules an
// agent applies (distinct validators of its pinned set, exactly this placement, valid signatures).
import { describe, expect, it } from "vitest";
import vectors from "../vectors/protocol-v1.1.json";
import { signerFromHex } from "../../protocol/ed25519.ts";
import {
  applyValidatorSetChange, checkQuorum, genesisValidatorSet, hashValidatorSetBody, signPlacementApproval, signPlacementRefusal,
  signValidatorSetChange, specHash, validatorSetBody, verifyPlacementApproval, verifyPlacementRefusal,
} from "../../protocol/placement-approval.ts";

const v = vectors.placement_approval;
const key = { cluster: "prod", workload: "web-api", replica: "web-api-1", node: v.approval.node, spec_hash: v.approval.spec_hash, round: 1 };

describe("placement approval vector", () => {
  it("spec_hash is BLAKE3(JCS(spec))", () => {
    expect(specHash(v.spec)).toBe(v.approval.spec_hash);
  });
  it("signing with the validator seed reproduces the approval byte for byte", async () => {
    const signer = await signerFromHex(vectors.keys.validator_seed);
    expect(signer.address).toBe(v.approval.validator);
    const a = await signPlacementApproval({ ...key, ts: v.approval.ts }, signer);
    expect(a).toEqual(v.approval);
    expect(JSON.stringify(Object.keys(a).sort())).toBe(JSON.stringify(Object.keys(v.approval).sort()));
  });
  it("verifies, and a changed field or a refusal's domain does not", async () => {
    expect(await verifyPlacementApproval(v.approval)).toEqual({ ok: true });
    expect((await verifyPlacementApproval({ ...v.approval, round: 2 })).ok).toBe(false);
    expect((await verifyPlacementRefusal({ ...v.approval })).ok).toBe(false);
  });
});

describe("quorum", () => {
  const seeds = ["11", "22", "33", "44"].map((b) => b.repeat(32));
  it("needs k distinct validators of the set, each approving exactly this placement", async () => {
    const [a, b, c, outsider] = await Promise.all(seeds.map((s) => signerFromHex(s)));
    const set = { quorum: 2, validators: [a.address, b.address, c.address] };
    const k = { ...key, node: outsider.address };
    const ok = [await signPlacementApproval(k, a), await signPlacementApproval(k, b)];
    expect((await checkQuorum(ok, k, set)).ok).toBe(true);
    // duplicate
    const dup = await checkQuorum([ok[0], ok[0]], k, set);
    expect(dup.ok).toBe(false);
    expect(dup.rejected[0]).toMatch(/second approval/);
    // too few
    expect((await checkQuorum([ok[0]], k, set)).ok).toBe(false);
    // forged: a valid signature over a changed body does not count
    const forged = await checkQuorum([ok[0], { ...ok[1], node: a.address }], k, set);
    expect(forged.ok).toBe(false);
    expect(forged.rejected[0]).toMatch(/does not match/);
    // an outsider's approval does not count
    const out = await checkQuorum([ok[0], await signPlacementApproval(k, outsider)], k, set);
    expect(out.rejected[0]).toMatch(/not in the validator set/);
    // another round does not count
    const r2 = await checkQuorum([ok[0], await signPlacementApproval({ ...k, round: 2 }, b)], k, set);
    expect(r2.rejected[0]).toMatch(/round is 2/);
    // a refusal verifies under its own domain
    const no = await signPlacementRefusal({ ...k, reason: "no room" }, c);
    expect(await verifyPlacementRefusal(no)).toEqual({ ok: true });
    expect((await verifyPlacementApproval(no)).ok).toBe(false);
  });

  it("a set change applies only with k signatures of the current set", async () => {
    const [a, b, c, d] = await Promise.all(seeds.map((s) => signerFromHex(s)));
    const cur = genesisValidatorSet("prod", 2, [a.address, b.address, c.address]);
    const body = validatorSetBody("prod", 2, 2, [a.address, b.address, d.address], cur.hash);
    const change = { ...body, hash: hashValidatorSetBody(body) };
    const one = { change, signatures: [await signValidatorSetChange(change.hash, a)] };
    expect((await applyValidatorSetChange(cur, "prod", one)).ok).toBe(false);
    const twiceA = { change, signatures: [one.signatures[0], one.signatures[0]] };
    expect((await applyValidatorSetChange(cur, "prod", twiceA)).ok).toBe(false);
    const byNew = { change, signatures: [one.signatures[0], await signValidatorSetChange(change.hash, d)] };
    expect((await applyValidatorSetChange(cur, "prod", byNew)).ok).toBe(false);
    const good = { change, signatures: [one.signatures[0], await signValidatorSetChange(change.hash, c)] };
    const r = await applyValidatorSetChange(cur, "prod", good);
    expect(r.ok && r.set).toEqual({ epoch: 2, quorum: 2, validators: [a.address, b.address, d.address], hash: change.hash });
    const tampered = { ...good, change: { ...change, quorum: 1 } };
    expect((await applyValidatorSetChange(cur, "prod", tampered)).ok).toBe(false);
  });
});
