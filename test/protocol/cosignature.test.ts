// Reproduces the `cosignature` section of test/vectors/protocol-v1.1.json (cosignature/v1 and the
// tlog-witness add-checkpoint body) and the witness's checks of a log's signed checkpoint.
// Runs in workerd and in Node (test/protocol is in both projects).
import { describe, expect, it } from "vitest";
import vectors from "../vectors/protocol-v1.1.json";
import { fromBase64, fromHex, toBase64 } from "../../protocol/bytes.ts";
import { publicKeyFromSeed } from "../../protocol/sync-signer.ts";
import {
  cosignLine, cosignatureKeyId, parseWitnessVkey, verifyCosignatures, witnessVkey,
} from "../../protocol/c2sp/cosignature.ts";
import {
  WitnessProtocolError, formatAddCheckpoint, parseAddCheckpoint, parseLogVkey, verifyLogCheckpoint,
} from "../../protocol/c2sp/witness.ts";

const V = vectors.cosignature;
const WITNESS_SEED = fromHex(vectors.keys.witness_seed);
const CP3 = vectors.tlog.checkpoints[2];

describe("cosignature/v1 vector", () => {
  it("derives the witness vkey (type 0x04) from the witness seed", () => {
    const pub = publicKeyFromSeed(WITNESS_SEED);
    expect(witnessVkey(V.witness_name, pub)).toBe(V.witness_vkey);
    const parsed = parseWitnessVkey(V.witness_vkey);
    expect(parsed.name).toBe(V.witness_name);
    expect(parsed.keyId).toEqual(cosignatureKeyId(V.witness_name, pub));
  });

  it("signs the vector's line byte for byte and the cosigned note verifies", () => {
    const line = cosignLine(V.witness_name, WITNESS_SEED, CP3.body, V.timestamp);
    expect(line).toBe(V.line);
    expect(CP3.note + line).toBe(V.cosigned_note);
    const sigs = verifyCosignatures(V.cosigned_note, [parseWitnessVkey(V.witness_vkey)]);
    expect(sigs.map((s) => [s.witness.name, s.timestamp])).toEqual([[V.witness_name, V.timestamp]]);
  });

  it("refuses a cosignature over another body, another time, or with a wrong signature", () => {
    const w = parseWitnessVkey(V.witness_vkey);
    // The log's own line is not a cosignature (other key id): ignored, so no witness counts.
    expect(verifyCosignatures(CP3.note, [w])).toEqual([]);
    const otherBody = vectors.tlog.checkpoints[1].note + V.line;
    expect(() => verifyCosignatures(otherBody, [w])).toThrow(/does not verify/);
    const blob = fromBase64(V.line.slice(2 + V.witness_name.length + 1, -1));
    blob[11] ^= 1; // the timestamp's last byte
    const tampered = CP3.note + `\u2014 ${V.witness_name} ${toBase64(blob)}\n`;
    expect(() => verifyCosignatures(tampered, [w])).toThrow(/does not verify/);
  });

  it("rejects vkeys of the wrong type or with a wrong key id", () => {
    expect(() => parseWitnessVkey(vectors.tlog.vkey)).toThrow(/0x04/);
    expect(() => parseWitnessVkey(V.witness_vkey.replace("+141f260a+", "+141f260b+"))).toThrow(/key id/);
    expect(() => parseWitnessVkey("no-plus")).toThrow();
    // Base64 may hold "+": only the first two separate the fields.
    let seed = 0;
    let vkey = "";
    while (!vkey.split("+")[3]) vkey = witnessVkey("w", publicKeyFromSeed(new Uint8Array(32).fill(++seed)));
    expect(parseWitnessVkey(vkey).name).toBe("w");
  });

  it("formats and parses the vector's add-checkpoint request", () => {
    const proof = vectors.tlog.consistency[1].proof_b64.map(fromBase64);
    expect(formatAddCheckpoint(2, proof, CP3.note)).toBe(V.add_checkpoint_request);
    const req = parseAddCheckpoint(V.add_checkpoint_request);
    expect(req.oldSize).toBe(2);
    expect(req.proof.map(toBase64)).toEqual(vectors.tlog.consistency[1].proof_b64);
    expect(req.note).toBe(CP3.note);
    for (const bad of ["old 02\n\n" + CP3.note, "new 2\n\n" + CP3.note, "old 2\nnot-base64!\n\n" + CP3.note, "old 2\n" + CP3.note.replace("\n\n", "\n")]) {
      expect(() => parseAddCheckpoint(bad), bad).toThrow(WitnessProtocolError);
    }
  });

  it("verifies the log's checkpoint signature with its vkey (404 unknown origin, 403 bad signature)", () => {
    const log = parseLogVkey(vectors.tlog.vkey);
    const keysFor = (origin: string) => (origin === log.name ? [log] : []);
    const cp = verifyLogCheckpoint(CP3.note, keysFor);
    expect([cp.origin, cp.size, toBase64(cp.root)]).toEqual([vectors.tlog.origin, 3, CP3.body.split("\n")[2]]);
    const status = (note: string, k = keysFor) => {
      try {
        verifyLogCheckpoint(note, k);
        return 200;
      } catch (e) {
        return (e as WitnessProtocolError).status;
      }
    };
    expect(status(CP3.note, () => [])).toBe(404);
    expect(status(CP3.note.replace("\n3\n", "\n4\n"))).toBe(403);
    expect(status(CP3.body + "\n" + V.line)).toBe(403); // only a witness line: no trusted log signature
    expect(status("garbage")).toBe(400);
  });
});
