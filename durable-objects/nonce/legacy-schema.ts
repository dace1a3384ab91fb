/** Frozen: the one positional step NonceDO ran before drizzle (see shared/migrate.ts). */
export const LEGACY_NONCE_STEPS: readonly string[] = ["CREATE TABLE nonces (nonce TEXT PRIMARY KEY, forget_at INTEGER NOT NULL)"];
