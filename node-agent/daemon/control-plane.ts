// The agent's side of the agent channel: every call goes through the shared ApiClient, signed by
// the node key, with a deadline, and aborted at once when the daemon shuts down.
import { ApiClient, ApiError } from "../../protocol/api-client.ts";
import type { Signer } from "../../protocol/ed25519.ts";
import type { StepReceipt } from "../../protocol/schemas.ts";
import { AgentError } from "../agent-error.ts";

export interface HeartbeatReport {
  replica: string;
  container?: string;
  status: "pending" | "starting" | "running" | "stopping" | "exited" | "failed";
  exit_code?: number;
  endpoint?: string;
  restarts: number;
  reason?: string;
  cpu_percent?: number;
  healthy?: boolean;
}

export interface HeartbeatBody {
  usage: { cpu_millis: number; memory_mb: number; storage_gb: number; connections: number };
  containers: HeartbeatReport[];
  /** verdicts of replays the desired state ordered */
  replays?: { id: string; verdict: "match" | "mismatch" | "error"; replay_receipt?: string; detail?: string }[];
  desired_version?: number;
}

export interface LogEntry {
  replica: string;
  stream: "stdout" | "stderr";
  offset: number;
  data: string;
}

const REQUEST_TIMEOUT_MS = 15_000;
const seg = encodeURIComponent;

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

export class ControlPlane {
  private readonly api: ApiClient;
  private readonly base: string;

  constructor(
    readonly url: string,
    readonly cluster: string,
    readonly signer: Signer,
    private readonly stop?: AbortSignal,
  ) {
    this.api = client(url, signer, REQUEST_TIMEOUT_MS, stop);
    this.base = `/v1/clusters/${seg(cluster)}`;
  }

  private get nodePath(): string {
    return `${this.base}/nodes/${seg(this.signer.address)}`;
  }

  keys(): Promise<{ control_plane: string; notary: string }> {
    return this.api.get("/v1/keys");
  }

  join(body: Record<string, unknown>): Promise<{ node: Record<string, unknown> }> {
    return this.api.post(`${this.base}/nodes`, body);
  }

  heartbeat(body: HeartbeatBody): Promise<{ desired_version: number }> {
    return this.api.post(`${this.nodePath}/heartbeat`, body);
  }

  /** Long-poll: answers when the desired state moves past `since`, or after `waitS`; `cancel` ends it early. */
  async desired(since: number, waitS: number, cancel?: AbortSignal): Promise<unknown> {
    const req = await this.api.build("GET", `${this.nodePath}/desired?since=${since}&wait=${waitS}`);
    const signals = [AbortSignal.timeout((waitS + 15) * 1000), ...(this.stop ? [this.stop] : []), ...(cancel ? [cancel] : [])];
    let res: Response;
    try {
      res = await fetch(req, { signal: AbortSignal.any(signals) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      throw new AgentError("unreachable", `control plane ${this.url} unreachable (${cause})`, { cause: err });
    }
    const text = await res.text();
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
    return this.api.post(`${this.base}/receipts`, { receipts });
  }

  logs(entries: LogEntry[]): Promise<{ stored: number }> {
    return this.api.post(`${this.nodePath}/logs`, { entries });
  }
}
