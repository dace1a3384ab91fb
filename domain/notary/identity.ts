/**
 * A NotaryDO is addressed by name, one per (cluster, app): the Worker calls
 * `idFromName(notaryName(cluster, app))` and the DO reads its identity back from `ctx.id.name`,
 * so no RPC has to say which app it is for. Neither a cluster nor an app name may contain "/".
 */
export interface NotaryIdentity {
  cluster: string;
  app: string;
}

export const notaryName = (cluster: string, app: string): string => `${cluster}/${app}`;

export function parseNotaryName(name: string | undefined): NotaryIdentity | null {
  if (!name) return null;
  const slash = name.indexOf("/");
  if (slash <= 0 || slash === name.length - 1 || name.indexOf("/", slash + 1) !== -1) return null;
  return { cluster: name.slice(0, slash), app: name.slice(slash + 1) };
}
