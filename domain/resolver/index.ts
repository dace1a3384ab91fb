// The resolver's pure logic, for the Worker's routes (GET /v1/resolve, PUT /v1/registry/httpcg/{host},
// PUT /v1/dids/{did}, GET /1.0/identifiers/{did}). No routes, storage or node: imports here.
export * from "../../protocol/rootzk/errors.ts";
export * from "./names.ts";
export * from "../../protocol/rootzk/did.ts";
export * from "../../protocol/rootzk/multikey.ts";
export * from "./did-document.ts";
export * from "./did-key.ts";
export * from "./did-web.ts";
export * from "./capped-body.ts";
export * from "./net-guard.ts";
export * from "./resolution.ts";
export * from "./rootzk-path.ts";
export * from "./resolved-domain.ts";
export * from "./qlock.ts";
export * from "../../protocol/rootzk/zk-schnorr.ts";
export * from "./zk-auth.ts";
export * from "./lru-cache.ts";
