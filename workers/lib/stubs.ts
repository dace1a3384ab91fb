import type { Result } from "../../domain/result.ts";
import { ProblemException } from "../../domain/problem.ts";
import { notaryName } from "../../domain/notary/identity.ts";

export const clusterStub = (env: Env, cluster: string) => env.CLUSTER.get(env.CLUSTER.idFromName(cluster));

/** The relay of one `enc exec -t` session. */
export const execSessionStub = (env: Env, cluster: string, exec: string) => env.EXEC_SESSIONS.getByName(`${cluster}/${exec}`);

/** The NotaryDO of one app; it knows its cluster and app from this name (ctx.id.name). */
export const notaryStub = (env: Env, cluster: string, app: string) => env.NOTARY.getByName(notaryName(cluster, app));

/** The value of a DO result, or its problem thrown for the Worker's single onError. */
export async function unwrap<T>(result: Result<T> | Promise<Result<T>>): Promise<T> {
  const r = await result;
  if (!r.ok) throw new ProblemException(r.problem);
  return r.value;
}
