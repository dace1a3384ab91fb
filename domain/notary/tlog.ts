// Names of ENC's C2SP logs (PROTOCOL.md §6). LOG_ORIGIN is one setting of the deployment and never
// changes for a log: witnesses and clients key their state by origin.
export const DEFAULT_LOG_ORIGIN = "enc.localhost";

export interface LogOriginSetting {
  LOG_ORIGIN?: string;
}

function base(env: LogOriginSetting): string {
  const o = env.LOG_ORIGIN?.trim();
  return o ? o.replace(/\/+$/, "") : DEFAULT_LOG_ORIGIN;
}

/** `<LOG_ORIGIN>/<cluster>/<app>`: an app's log of StepReceipts. */
export const logOrigin = (env: LogOriginSetting, cluster: string, app: string): string => `${base(env)}/${cluster}/${app}`;

/** `<LOG_ORIGIN>/<cluster>/audit`: a cluster's log of AuditEntries. */
export const auditLogOrigin = (env: LogOriginSetting, cluster: string): string => `${base(env)}/${cluster}/audit`;
