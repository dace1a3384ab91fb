// The log's side of tlog-witness (domain/witness/submit.ts, the code the notary and audit DOs
// run) against ENC's witness (cli/lib/witness) in-process: first submission, growth with a
// consistency proof, 409 resync from a forgotten size, refusal of a cosignature by another key,
// a fork refused with 422, and an unreachable witness.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes, utf8 } from "../../protocol/bytes.ts";
import { publicKeyFromSeed, syncSignerFromSeed } from "../../protocol/index.ts";
import { checkpointBody } from "../../protocol/c2sp/checkpoint.ts";
import { ALG_ED25519, encodeVkey, formatNote, keyId, signatureLine } from "../../protocol/c2sp/note.ts";
import { consistencyProofOf, rootOfLeafHashes, tlogLeafHash } from "../../protocol/c2sp/tlog.ts";
import { parseWitnessVkey, verifyCosignatures, witnessVkey } from "../../protocol/c2sp/cosignature.ts";
import { parseLogVkey } from "../../protocol/c2sp/witness.ts";
import { submitCheckpoint } from "../../domain/witness/submit.ts";
import { Witness } from "../../cli/lib/witness/server.ts";
import { WitnessStore } from "../../cli/lib/witness/store.ts";

const ORIGIN = "enc.localhost/test/submit";
const logSeed = randomBytes(32);
const logSigner = syncSignerFromSeed(logSeed);
const LOG_VKEY = encodeVkey(ORIGIN, ALG_ED25519, publicKeyFromSeed(logSeed));
const leaves: Uint8Array[] = [];

function checkpoint(size = leaves.length, ls = leaves) {
  const body = checkpointBody({ origin: ORIGIN, size, root: rootOfLeafHashes(ls.slice(0, size)) });
  return { size, note: formatNote(body, [signatureLine(ORIGIN, keyId(ORIGIN, ALG_ED25519, logSigner.publicKey), logSigner.sign(utf8(body)))]) };
}
const prove = (m: number, n: number) => consistencyProofOf(leaves, m, n);

let dir: string;
let witness: Witness;
let vkey: string;
let calls: string[] = [];
const fetcher = async (req: Request): Promise<Response> => {
  const body = await req.text();
  calls.push(body.split("\n")[0]);
  const a = await witness.addCheckpoint(body);
  return new Response(a.body, { status: a.status, headers: { "content-type": a.contentType } });
};

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "enc-witness-submit-"));
  const seed = randomBytes(32);
  vkey = witnessVkey("witness.test/submit", publicKeyFromSeed(seed));
  const store = new WitnessStore(dir);
  await store.init();
  witness = new Witness({ identity: { name: "witness.test/submit", seed, key: parseWitnessVkey(vkey) }, store, logs: [parseLogVkey(LOG_VKEY)] });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("submitCheckpoint against ENC's witness", () => {
  it("submits the first checkpoint from size 0 and returns a cosignature that verifies", async () => {
    for (let i = 0; i < 5; i++) leaves.push(tlogLeafHash(utf8(`entry ${i}`)));
    const cp = checkpoint();
    const out = await submitCheckpoint({ url: "http://127.0.0.1:1/", vkey, knownSize: 0 }, cp, prove, fetcher);
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.size).toBe(5);
    expect(verifyCosignatures(cp.note + out.line, [parseWitnessVkey(vkey)])).toHaveLength(1);
  });

  it("sends the consistency proof from the size the witness cosigned", async () => {
    for (let i = 5; i < 9; i++) leaves.push(tlogLeafHash(utf8(`entry ${i}`)));
    calls = [];
    const out = await submitCheckpoint({ url: "http://w", vkey, knownSize: 5 }, checkpoint(), prove, fetcher);
    expect(out).toMatchObject({ ok: true, size: 9, witnessSize: 9 });
    expect(calls).toEqual(["old 5"]);
  });

  it("resyncs on 409 to the size the witness reports, then succeeds", async () => {
    leaves.push(tlogLeafHash(utf8("entry 9")));
    calls = [];
    // The log lost its record of the witness (knownSize 0): the witness says 9.
    const out = await submitCheckpoint({ url: "http://w", vkey, knownSize: 0 }, checkpoint(), prove, fetcher);
    expect(out).toMatchObject({ ok: true, size: 10 });
    expect(calls).toEqual(["old 0", "old 9"]);
  });

  it("refuses an answer without a cosignature by the configured key", async () => {
    leaves.push(tlogLeafHash(utf8("entry 10")));
    const other = witnessVkey("witness.test/submit", publicKeyFromSeed(randomBytes(32)));
    const out = await submitCheckpoint({ url: "http://w", vkey: other, knownSize: 10 }, checkpoint(), prove, fetcher);
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.reason).toMatch(/no valid cosignature/);
  });

  it("reports a fork refused by the witness (422) and an unreachable witness, without throwing", async () => {
    const forked = leaves.slice();
    forked[3] = tlogLeafHash(utf8("rewritten"));
    const cp = checkpoint(12, [...forked, tlogLeafHash(utf8("entry 11"))]);
    const out = await submitCheckpoint({ url: "http://w", vkey, knownSize: 11 }, cp, (m, n) => consistencyProofOf([...forked, tlogLeafHash(utf8("entry 11"))], m, n), fetcher);
    expect(out).toMatchObject({ ok: false, witnessSize: 11 });
    if (!out.ok) expect(out.reason).toMatch(/^HTTP 422/);
    const down = await submitCheckpoint({ url: "http://127.0.0.1:9", vkey, knownSize: 11 }, checkpoint(), prove, (r) => fetch(r));
    expect(down.ok).toBe(false);
    if (!down.ok) expect(down.reason).toMatch(/unreachable/);
  });
});
