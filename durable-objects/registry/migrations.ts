import { AUDIT_SQL } from "../shared/audit-log.ts";

/**
 * RegistryDO schema (one instance per httpcg host or per did:bpi DID). `versions` holds every
 * version of that one name as the JSON row the ledger receives; the current one is the highest.
 * Append only: never edit a shipped step.
 */
export const REGISTRY_MIGRATIONS = [
  AUDIT_SQL,
  `CREATE TABLE IF NOT EXISTS versions (
    version INTEGER PRIMARY KEY,
    body TEXT NOT NULL
  )`,
] as const;

/** ZkChallengeDO schema: only a random challenge, its expiry and whether it was used. */
export const CHALLENGE_MIGRATIONS = [
  `CREATE TABLE IF NOT EXISTS challenges (
    challenge TEXT PRIMARY KEY,
    did TEXT,
    expires_ms INTEGER NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
  )`,
] as const;
