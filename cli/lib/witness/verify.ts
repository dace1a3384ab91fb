// `--witness VKEY… --min-witnesses N` for `enc ledger verify` and `enc audit --verify`: fetch the
// log's newest checkpoint (public), check the log's own note signature by the key it is supposed
// to carry (notary or control plane, from GET /v1/keys), then count the cosignatures (C2SP
// cosignature/v1) that verify under the witness keys the user trusts. Fewer than N is a problem.
import type { ApiClient } from "../../../protocol/api-client.ts";
import { decodeAddress } from "../../../protocol/address.ts";
import { parseWitnessVkey, verifyCosignatures, type WitnessKey } from "../../../protocol/c2sp/cosignature.ts";
import { parseCheckpointBody, verifyLogCheckpoint } from "../../../protocol/c2sp/witness.ts";
import { keyId, ALG_ED25519 } from "../../../protocol/c2sp/note.ts";
import { routes } from "../../../protocol/routes.ts";
import { usageError } from "../errors.ts";

export interface WitnessFlags {
  witness: string[];
  "min-witnesses"?: string;
}

export interface WitnessPolicy {
  keys: WitnessKey[];
  min: number;
}

/** The trusted witnesses and the quorum from the flags; null when no --witness was given. */
export function witnessPolicy(flags: WitnessFlags): WitnessPolicy | null {
  const keys = flags.witness.map((v) => {
    try {
      return parseWitnessVkey(v);
    } catch (e) {
      throw usageError("bad_witness_vkey", `--witness ${JSON.stringify(v)}: ${(e as Error).message}`, "A witness vkey is <name>+<id>+<base64 key> with key type 0x04 (`enc witness vkey`).");
    }
  });
  const minText = flags["min-witnesses"];
  if (keys.length === 0) {
    if (minText !== undefined) throw usageError("missing_flag", "--min-witnesses needs at least one --witness VKEY");
    return null;
  }
  const min = minText === undefined ? 1 : Number(minText);
  if (!/^\d+$/.test(minText ?? "1") || min < 1 || min > keys.length) {
    throw usageError("bad_min_witnesses", `--min-witnesses must be 1-${keys.length} (the number of --witness keys), got ${JSON.stringify(minText)}`);
  }
  return { keys, min };
}

export interface WitnessResult {
  size: number | null;
  cosigned: { name: string; timestamp: number }[];
  problems: { where: string; problem: string }[];
}

/**
 * Checks the newest checkpoint at `path` (…/log/checkpoint): signed by `origin`'s key `signer`
 * (a bpi1 address), and cosigned by at least `policy.min` of `policy.keys`.
 */
export async function checkWitnessed(api: ApiClient, path: string, signer: string, policy: WitnessPolicy, fetched?: string | Error): Promise<WitnessResult> {
  const where = "checkpoint";
  // The checkpoint the log verification already read, so both checks speak of the same tree.
  let note: string;
  if (typeof fetched === "string") note = fetched;
  else {
    const res = await api.raw("GET", path);
    note = await res.text();
    if (!res.ok) return { size: null, cosigned: [], problems: [{ where, problem: `GET ${path} answered ${res.status}` }] };
  }
  let size: number;
  try {
    const { origin } = parseCheckpointBody(note.slice(0, note.lastIndexOf("\n\n") + 1));
    const publicKey = decodeAddress(signer);
    const cp = verifyLogCheckpoint(note, (o) => (o === origin ? [{ name: origin, keyId: keyId(origin, ALG_ED25519, publicKey), publicKey, vkey: "" }] : []));
    size = cp.size;
  } catch (e) {
    return { size: null, cosigned: [], problems: [{ where, problem: `the checkpoint is not signed by ${signer}: ${(e as Error).message}` }] };
  }
  let cosigned;
  try {
    cosigned = verifyCosignatures(note, policy.keys).map((c) => ({ name: c.witness.name, timestamp: c.timestamp }));
  } catch (e) {
    return { size, cosigned: [], problems: [{ where, problem: (e as Error).message }] };
  }
  const problems =
    cosigned.length >= policy.min
      ? []
      : [{ where: `checkpoint (size ${size})`, problem: `${cosigned.length} valid cosignature${cosigned.length === 1 ? "" : "s"} of the ${policy.min} required (from ${policy.keys.map((k) => k.name).join(", ")})` }];
  return { size, cosigned, problems };
}

/** The flags both verifying commands declare. */
export const WITNESS_FLAGS = {
  witness: { type: "string", multiple: true, placeholder: "VKEY", description: "a witness you trust (cosignature/v1 vkey); the checkpoint must carry its cosignature" },
  "min-witnesses": { type: "string", placeholder: "N", description: "how many of the --witness keys must have cosigned (default 1)" },
} as const;

/** Where the newest checkpoints are served (PROTOCOL.md §6), public. */
export const appCheckpointPath = (cluster: string, app: string) => routes.appLogCheckpoint(cluster, app);
export const auditCheckpointPath = (cluster: string) => routes.auditLogCheckpoint(cluster);

/** "✓ Checkpoint of size N cosigned by a, b." */
export function witnessLine(mark: string, w: WitnessResult): string {
  return `${mark} Checkpoint of size ${w.size} cosigned by ${w.cosigned.map((c) => `${c.name} (${new Date(c.timestamp * 1000).toISOString()})`).join(", ")}.`;
}
