import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";

// Setup files may run more than once; applyD1Migrations only applies what is missing.
await applyD1Migrations(env.LEDGER, env.TEST_MIGRATIONS);
