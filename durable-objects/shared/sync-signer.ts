import { fromHex } from "../../protocol/bytes.ts";
import { syncSignerFromSeed, type SyncSigner } from "../../protocol/sync-signer.ts";

export type { SyncSigner };

/**
 * The Worker's keys as synchronous signers, for a DO's synchronous transaction (see
 * protocol/sync-signer.ts). Signing is rare (one audit entry per user action, one per sealed
 * block), so the pure-JS cost is fine; the hot path (receipt verification) uses WebCrypto.
 */
const cache = new Map<string, SyncSigner>();

export function syncSigner(hexSeed: string | undefined, name: string): SyncSigner {
  if (!hexSeed || !/^[0-9a-f]{64}$/i.test(hexSeed.trim())) {
    throw new Error(`${name} is missing or not a 64-hex-digit Ed25519 seed; run \`npm start\` once to generate .dev.vars, or set the Worker secret`);
  }
  const key = hexSeed.trim().toLowerCase();
  let s = cache.get(key);
  if (!s) {
    s = syncSignerFromSeed(fromHex(key));
    cache.set(key, s);
  }
  return s;
}
