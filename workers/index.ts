import { app } from "./app.ts";

export { ClusterDO } from "../durable-objects/cluster/cluster-do.ts";
export { NotaryDO } from "../durable-objects/notary/notary-do.ts";
export { NonceDO } from "../durable-objects/nonce/nonce-do.ts";
export { RegistryDO } from "../durable-objects/registry/registry-do.ts";
export { ZkChallengeDO } from "../durable-objects/registry/challenge-do.ts";
export { ExecSessionDO } from "../durable-objects/exec-session/exec-session-do.ts";

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
