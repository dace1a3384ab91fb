// The bindings and secrets come from `npm run cf-typegen` (wrangler types -> worker-configuration.d.ts,
// a global `Env`). Settings that may be absent are declared here, so the generated file stays as
// wrangler writes it.
declare global {
  interface Env {
    /** Who may clear the resolver cache: bpi1 addresses separated by commas or spaces (default: the control-plane key). */
    RESOLVER_ADMINS?: string;
    /** Entries of the in-isolate resolution cache (default 10000). */
    DOMAIN_RESOLUTION_CACHE_SIZE?: string;
    /** First part of every transparency-log origin (PROTOCOL.md §6; default enc.localhost). Never change it for a live deployment. */
    LOG_ORIGIN?: string;
  }
}

export interface AppVariables {
  /** bpi1 address of the verified request signer. */
  actor: string;
}

export type AppEnv = { Bindings: Env; Variables: AppVariables };
