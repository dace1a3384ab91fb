import type { Signer } from "./ed25519.ts";
import { signRequest } from "./http-signature.ts";

/** An RFC 9457 problem answered by the API, as an exception carrying the server's words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: { type?: string; title?: string; detail?: string; field?: string; [k: string]: unknown },
  ) {
    super(problem.detail ? `${problem.title ?? "Error"} (${status}): ${problem.detail}` : `HTTP ${status}`);
  }
}

export interface ClientOptions {
  url: string;
  signer?: Signer;
  fetch?: (req: Request) => Promise<Response>;
}

/**
 * The one HTTP client of the public API, shared by the CLI, the agent and the tests: every
 * request is signed (RFC 9421 + RFC 9530) when a signer is given.
 */
export class ApiClient {
  private readonly base: string;
  private readonly doFetch: (req: Request) => Promise<Response>;

  constructor(private readonly opts: ClientOptions) {
    this.base = opts.url.replace(/\/+$/, "");
    this.doFetch = opts.fetch ?? ((req) => fetch(req));
  }

  get signer(): Signer | undefined {
    return this.opts.signer;
  }

  /** Builds the (signed) request without sending it. */
  async build(method: string, path: string, body?: unknown): Promise<Request> {
    const url = this.base + path;
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { accept: "application/json" };
    if (text !== undefined) headers["content-type"] = "application/json";
    if (this.opts.signer) Object.assign(headers, await signRequest({ method, url, body: text, signer: this.opts.signer }));
    return new Request(url, { method, headers, body: text });
  }

  async raw(method: string, path: string, body?: unknown): Promise<Response> {
    return this.doFetch(await this.build(method, path, body));
  }

  /** Sends and decodes JSON; a non-2xx answer throws ApiError with the problem. */
  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    return this.decode<T>(await this.raw(method, path, body));
  }

  /** Sends a document in its own media type (an agreement as application/yaml), signed, and decodes the answer. */
  async sendText<T = unknown>(method: string, path: string, body: string, contentType: string): Promise<T> {
    const url = this.base + path;
    const headers: Record<string, string> = { accept: "application/json", "content-type": contentType };
    if (this.opts.signer) Object.assign(headers, await signRequest({ method, url, body, signer: this.opts.signer }));
    return this.decode<T>(await this.doFetch(new Request(url, { method, headers, body })));
  }

  private async decode<T>(res: Response): Promise<T> {
    const text = await res.text();
    let data: unknown = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = { detail: text.slice(0, 500) };
    }
    if (!res.ok) throw new ApiError(res.status, (data as ApiError["problem"]) ?? {});
    return data as T;
  }

  get<T = unknown>(path: string) {
    return this.call<T>("GET", path);
  }
  post<T = unknown>(path: string, body: unknown = {}) {
    return this.call<T>("POST", path, body);
  }
  put<T = unknown>(path: string, body: unknown) {
    return this.call<T>("PUT", path, body);
  }
  delete<T = unknown>(path: string) {
    return this.call<T>("DELETE", path);
  }
}
