// The ENC protocol core: one import for the Worker, the agent and the CLI.
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
