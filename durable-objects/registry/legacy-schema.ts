import { LEGACY_AUDIT_SQL, LEGACY_BASE_STEPS } from "../shared/legacy-schema.ts";

/** Frozen: every positional step RegistryDO ran before drizzle (see cluster/legacy-schema.ts). */
export const LEGACY_REGISTRY_STEPS: readonly string[] = [
  ...LEGACY_BASE_STEPS,
  LEGACY_AUDIT_SQL,
  `CREATE TABLE IF NOT EXISTS versions (
    version INTEGER PRIMARY KEY,
    body TEXT NOT NULL
  )`,
];

/** Frozen: every positional step ZkChallengeDO ran before drizzle. */
export const LEGACY_CHALLENGE_STEPS: readonly string[] = [
  ...LEGACY_BASE_STEPS,
  `CREATE TABLE IF NOT EXISTS challenges (
    challenge TEXT PRIMARY KEY,
    did TEXT,
    expires_ms INTEGER NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
  )`,
];
