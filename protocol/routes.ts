// The API's paths: the OpenAPI templates the Worker serves, and builders for its clients (the
// agent, the CLI, tests), so a path is spelled once. A builder takes the template's parameters
// in order; query strings are the caller's.
export const paths = {
  health: "/v1/health",
  keys: "/v1/keys",
  clusters: "/v1/clusters",
  cluster: "/v1/clusters/{cluster}",
  joinTokens: "/v1/clusters/{cluster}/join-tokens",
  nodes: "/v1/clusters/{cluster}/nodes",
  node: "/v1/clusters/{cluster}/nodes/{node}",
  nodeDrain: "/v1/clusters/{cluster}/nodes/{node}/drain",
  nodeCordon: "/v1/clusters/{cluster}/nodes/{node}/cordon",
  nodeUncordon: "/v1/clusters/{cluster}/nodes/{node}/uncordon",
  heartbeat: "/v1/clusters/{cluster}/nodes/{node}/heartbeat",
  desired: "/v1/clusters/{cluster}/nodes/{node}/desired",
  nodeLogs: "/v1/clusters/{cluster}/nodes/{node}/logs",
  receipts: "/v1/clusters/{cluster}/receipts",
  receipt: "/v1/receipts/{hash}",
  seal: "/v1/clusters/{cluster}/apps/{app}/seal",
  notary: "/v1/clusters/{cluster}/apps/{app}/notary",
  blocks: "/v1/clusters/{cluster}/apps/{app}/blocks",
  block: "/v1/clusters/{cluster}/apps/{app}/blocks/{height}",
  blockReceipts: "/v1/clusters/{cluster}/apps/{app}/blocks/{height}/receipts",
  appHead: "/v1/clusters/{cluster}/apps/{app}/head",
  appLog: "/v1/clusters/{cluster}/apps/{app}/log/",
  appLogCheckpoint: "/v1/clusters/{cluster}/apps/{app}/log/checkpoint",
  auditLog: "/v1/clusters/{cluster}/audit/log/",
  auditLogCheckpoint: "/v1/clusters/{cluster}/audit/log/checkpoint",
  audit: "/v1/clusters/{cluster}/audit",
  auditHead: "/v1/clusters/{cluster}/audit/head",
  auditReport: "/v1/clusters/{cluster}/audit/report",
  quantumSafe: "/v1/clusters/{cluster}/quantum-safe",
  roles: "/v1/clusters/{cluster}/roles",
  role: "/v1/clusters/{cluster}/roles/{address}",
  workloads: "/v1/clusters/{cluster}/workloads",
  workload: "/v1/clusters/{cluster}/workloads/{name}",
  workloadScale: "/v1/clusters/{cluster}/workloads/{name}/scale",
  workloadLogs: "/v1/clusters/{cluster}/workloads/{name}/logs",
  workloadRollout: "/v1/clusters/{cluster}/workloads/{name}/rollout",
  workloadRolloutHistory: "/v1/clusters/{cluster}/workloads/{name}/rollout/history",
  workloadRolloutAction: "/v1/clusters/{cluster}/workloads/{name}/rollout/{action}",
  agreements: "/v1/clusters/{cluster}/agreements",
  agreementsValidate: "/v1/clusters/{cluster}/agreements/validate",
  agreementsDiff: "/v1/clusters/{cluster}/agreements/diff",
  agreement: "/v1/clusters/{cluster}/agreements/{name}",
  agreementVersions: "/v1/clusters/{cluster}/agreements/{name}/versions",
  agreementRollback: "/v1/clusters/{cluster}/agreements/{name}/rollback",
  clusterHealth: "/v1/clusters/{cluster}/health",
  events: "/v1/clusters/{cluster}/events",
  metrics: "/v1/clusters/{cluster}/metrics",
  agreementVerdict: "/v1/clusters/{cluster}/agreements/{name}/verdict",
  replays: "/v1/clusters/{cluster}/replays",
  replay: "/v1/clusters/{cluster}/replays/{id}",
  execs: "/v1/clusters/{cluster}/execs",
  exec: "/v1/clusters/{cluster}/execs/{id}",
  nodeExec: "/v1/clusters/{cluster}/nodes/{node}/execs/{id}",
  execAttach: "/v1/clusters/{cluster}/execs/{id}/attach",
  nodeExecAttach: "/v1/clusters/{cluster}/nodes/{node}/execs/{id}/attach",
  pipelines: "/v1/clusters/{cluster}/pipelines",
  pipeline: "/v1/clusters/{cluster}/pipelines/{pipeline}",
  promotions: "/v1/clusters/{cluster}/pipelines/{pipeline}/promotions",
  promotionDecision: "/v1/clusters/{cluster}/pipelines/{pipeline}/promotions/{id}/{decision}",
  validatorSet: "/v1/clusters/{cluster}/validator-set",
  workloadPlacements: "/v1/clusters/{cluster}/workloads/{name}/placements",
  nodePlacements: "/v1/clusters/{cluster}/nodes/{node}/placements",
  nodeAudit: "/v1/clusters/{cluster}/nodes/{node}/audit",
  resolve: "/v1/resolve",
  rootzkChallenge: "/v1/resolve/rootzk/challenge",
  rootzkVerify: "/v1/resolve/rootzk/verify",
  qlockVerify: "/v1/resolve/qlock/verify",
  resolverCacheStats: "/v1/resolve/cache/stats",
  resolverCacheClear: "/v1/resolve/cache/clear",
  host: "/v1/registry/httpcg/{host}",
  hostVersions: "/v1/registry/httpcg/{host}/versions",
  hostAudit: "/v1/registry/httpcg/{host}/audit",
  did: "/v1/dids/{did}",
  didVersions: "/v1/dids/{did}/versions",
  didAudit: "/v1/dids/{did}/audit",
  identifier: "/1.0/identifiers/{identifier}",
  policies: "/v1/clusters/{cluster}/policies",
  policy: "/v1/clusters/{cluster}/policies/{name}",
  policyTest: "/v1/clusters/{cluster}/policies/{name}/test",
  securityLevel: "/v1/clusters/{cluster}/security-level",
} as const;

type Params<T extends string> = T extends `${string}{${string}}${infer Rest}` ? [string | number, ...Params<Rest>] : [];
type Builders = { [K in keyof typeof paths]: (...values: Params<(typeof paths)[K]>) => string };

/** A path segment: percent-encoded, but ':' kept (an RFC 3986 pchar), as DIDs and hashes carry it. */
export const segment = (value: string | number): string => encodeURIComponent(String(value)).replace(/%3A/gi, ":");

export function fillPath(template: string, values: readonly (string | number)[]): string {
  let i = 0;
  const path = template.replace(/\{[^}]+\}/g, () => {
    if (i >= values.length) throw new Error(`${template}: missing a parameter`);
    return segment(values[i++]);
  });
  if (i !== values.length) throw new Error(`${template}: ${values.length} parameters given, ${i} expected`);
  return path;
}

/** `routes.heartbeat(cluster, node)` → "/v1/clusters/<cluster>/nodes/<node>/heartbeat". */
export const routes = Object.fromEntries(
  Object.entries(paths).map(([name, template]) => [name, (...values: (string | number)[]) => fillPath(template, values)]),
) as Builders;
