// The ENC wire contract: every object that crosses a process boundary, its schema, signer and
// verifier, and the API paths. One import for the Worker, the DOs, the agent and the CLI.
export * from "./bytes.ts";
export * from "./jcs.ts";
export * from "./hash.ts";
export * from "./address.ts";
export * from "./ed25519.ts";
export * from "./signed.ts";
export * from "./merkle.ts";
export * from "./inclusion.ts";
export * from "./http-signature.ts";
export * from "./time.ts";
export * from "./schemas.ts";
export * from "./sync-signer.ts";
export * from "./desired-state.ts";
export * from "./routes.ts";
export * from "./api-client.ts";
export * from "./api/common.ts";
export * from "./api/cluster.ts";
export * from "./api/node.ts";
export * from "./api/workload.ts";
export * from "./api/agent.ts";
export * from "./api/notary.ts";
export * from "./api/tlog.ts";
export * from "./api/observe.ts";
export * from "./api/resolver.ts";
export * from "./api/registry.ts";
export * from "./mldsa.ts";
