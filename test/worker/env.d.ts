import type { D1Migration } from "cloudflare:test";

// The Worker's bindings come from worker-configuration.d.ts; tests add the D1 migrations.
declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
    }
  }
}
export {};
