import type { D1Migration } from "cloudflare:test";
import type { Env as EncEnv } from "../../workers/env.ts";

declare global {
  namespace Cloudflare {
    interface GlobalProps {
      mainModule: typeof import("../../workers/index.ts");
      durableNamespaces: "ClusterDO" | "NotaryDO" | "NonceDO";
    }
    interface Env extends EncEnv {
      TEST_MIGRATIONS: D1Migration[];
    }
  }
}
export {};
