// The agent's side of the agent channel: every call goes through the shared ApiClient, signed by
// the node key, with a deadline, and aborted at once when the daemon shuts down.
import { ApiClient, ApiError } from "../../protocol/api-client.ts";
import type { Signer } from "../../protocol/ed25519.ts";
import type { HeartbeatAnswer, HeartbeatBodyInput, LogEntry } from "../../protocol/api/agent.ts";
import type { ExecOutcomeInput } from "../../protocol/api/exec.ts";
import { routes } from "../../protocol/routes.ts";
import type { StepReceipt } from "../../protocol/schemas.ts";
import { AgentError } from "../agent-error.ts";
import type { ValidatorSet } from "../../protocol/api/placement.ts";

const REQUEST_TIMEOUT_MS = 15_000;

function client(url: string, signer: Signer, timeoutMs: number, stop?: AbortSignal): ApiClient {
  return new ApiClient({
    url,
    signer,
    fetch: async (req) => {
      const signals = [AbortSignal.timeout(timeoutMs), ...(stop ? [stop] : [])];
      try {
        return await fetch(req, { signal: AbortSignal.any(signals) });
      } catch (err) {
        const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
        throw new AgentError("unreachable", `control plane ${url} unreachable (${cause})`, { cause: err });
      }
    },
  });
}

/** True for failures worth retrying later (network, timeouts, 5xx, 429). */
export function isTransient(err: unknown): boolean {
  if (err instanceof AgentError) return err.code === "unreachable";
  if (err instanceof ApiError) return err.status >= 500 || err.status === 429 || err.status === 408;
  return false;
}

/** The body, or an error once `signal` aborts: an abort must not leave the reader waiting for ever. */
function readBody(res: Response, signal: AbortSignal, url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const abort = () => reject(new AgentError("unreachable", `control plane ${url} unreachable (body not received)`));
    if (signal.aborted) return abort();
    signal.addEventListener("abort", abort, { once: true });
    res.text().then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
  });
}

export class ControlPlane {
  readonly api: ApiClient;

  constructor(
    readonly url: string,
    readonly cluster: string,
    readonly signer: Signer,
    private readonly stop?: AbortSignal,
  ) {
    this.api = client(url, signer, REQUEST_TIMEOUT_MS, stop);
  }

  keys(): Promise<{ control_plane: string; notary: string }> {
    return this.api.get(routes.keys());
  }

  join(body: Record<string, unknown>): Promise<{ node: Record<string, unknown>; validator_set?: ValidatorSet }> {
    return this.api.post(routes.nodes(this.cluster), body);
  }

  heartbeat(body: HeartbeatBodyInput): Promise<HeartbeatAnswer> {
    return this.api.post(routes.heartbeat(this.cluster, this.signer.address), body);
  }

  /** Long-poll: answers when the desired state moves past `since`, or after `waitS`; `cancel` ends it early. */
  async desired(since: number, waitS: number, cancel?: AbortSignal): Promise<unknown> {
    const req = await this.api.build("GET", `${routes.desired(this.cluster, this.signer.address)}?since=${since}&wait=${waitS}`);
    const outer = AbortSignal.any([AbortSignal.timeout((waitS + 15) * 1000), ...(this.stop ? [this.stop] : [])]);
    // `cancel` (a kick) ends only the wait. Once the answer has arrived it is read to the end: a
    // kick landing while the body was read lost the answer, and at times left res.text() pending
    // for ever (undici), and the poller with it: the agent then never saw another desired state.
    const waiting = new AbortController();
    const kick = () => waiting.abort(cancel?.reason);
    if (cancel?.aborted) kick();
    cancel?.addEventListener("abort", kick, { once: true });
    let res: Response;
    try {
      res = await fetch(req, { signal: AbortSignal.any([outer, waiting.signal]) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      throw new AgentError("unreachable", `control plane ${this.url} unreachable (${cause})`, { cause: err });
    } finally {
      cancel?.removeEventListener("abort", kick);
    }
    const text = await readBody(res, outer, this.url);
    let data: unknown = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = { detail: text.slice(0, 300) };
    }
    if (!res.ok) throw new ApiError(res.status, (data ?? {}) as ApiError["problem"]);
    return data;
  }

  receipts(receipts: StepReceipt[]): Promise<{ accepted: number; duplicates: number }> {
    return this.api.post(routes.receipts(this.cluster), { receipts });
  }

  execResult(id: string, result: ExecOutcomeInput): Promise<{ recorded: true }> {
    return this.api.post(routes.nodeExec(this.cluster, this.signer.address, id), result);
  }

  /** The signed upgrade request for this node's end of a terminal session. */
  execAttachRequest(id: string): Promise<Request> {
    return this.api.build("GET", routes.nodeExecAttach(this.cluster, this.signer.address, id));
  }

  logs(entries: LogEntry[]): Promise<{ stored: number }> {
    return this.api.post(routes.nodeLogs(this.cluster, this.signer.address), { entries });
  }
}
