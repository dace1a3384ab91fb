// An OCI distribution registry (API v2): manifests by tag or digest, blobs by digest.
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { digestOf, verifyBytes } from "../digest.ts";
import { ImageError } from "../errors.ts";
import { ACCEPT_MANIFESTS, type Descriptor } from "../manifest.ts";
import { formatImageRef, type RegistryRef } from "../reference.ts";
import { fetchBearerToken, parseChallenge } from "./registry-auth.ts";
import { registryFetch } from "./registry-fetch.ts";
import type { ImageSource, RootDescriptor } from "./source.ts";

const MAX_MANIFEST = 4 * 1024 * 1024;

export class RegistrySource implements ImageSource {
  readonly name: string;
  private token?: string;
  private rootBytes?: Uint8Array;

  constructor(
    readonly ref: RegistryRef,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {
    this.name = formatImageRef(ref);
  }

  private async get(path: string, accept?: string, timeoutMs?: number): Promise<Response> {
    const url = `${this.ref.baseUrl}/v2/${this.ref.repository}/${path}`;
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = {};
      if (accept) headers.accept = accept;
      if (this.token) headers.authorization = `Bearer ${this.token}`;
      let res: Response;
      try {
        res = await registryFetch(url, { headers, signal: timeoutMs ? AbortSignal.timeout(timeoutMs) : undefined }, this.fetchImpl, `${this.name}: GET ${path}`);
      } catch (err) {
        if (err instanceof ImageError) throw err;
        throw new ImageError("registry", `${this.name}: GET ${url} failed: ${(err as Error).message}`, { cause: err });
      }
      if (res.status === 401 && attempt === 0) {
        await res.body?.cancel();
        const challenge = res.headers.get("www-authenticate");
        if (!challenge) throw new ImageError("auth", `${this.name}: registry answered 401 without a challenge`);
        this.token = await fetchBearerToken(parseChallenge(challenge), this.ref.repository, this.fetchImpl);
        continue;
      }
      if (res.ok) return res;
      await res.body?.cancel();
      if (res.status === 404) throw new ImageError("not_found", `${this.name}: ${path} not found in registry`);
      if (res.status === 401 || res.status === 403) throw new ImageError("auth", `${this.name}: registry denied ${path} (HTTP ${res.status})`);
      throw new ImageError("registry", `${this.name}: GET ${path} answered HTTP ${res.status}`);
    }
  }

  async resolveRoot(): Promise<RootDescriptor> {
    const reference = this.ref.digest ?? this.ref.tag ?? "latest";
    const res = await this.get(`manifests/${reference}`, ACCEPT_MANIFESTS, 60_000);
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.length > MAX_MANIFEST) throw new ImageError("bad_manifest", `${this.name}: manifest larger than ${MAX_MANIFEST} bytes`);
    const mediaType = (res.headers.get("content-type") ?? "").split(";")[0]!.trim();
    this.rootBytes = bytes;
    if (this.ref.digest) {
      verifyBytes("manifest", this.ref.digest, bytes);
      return { desc: { mediaType, digest: this.ref.digest, size: bytes.length } };
    }
    const digest = digestOf(bytes);
    const claimed = res.headers.get("docker-content-digest");
    if (claimed?.startsWith("sha256:") && claimed !== digest) {
      throw new ImageError("digest_mismatch", `manifest for ${this.name} digest mismatch: registry says ${claimed}, content hashes to ${digest}`);
    }
    return { desc: { mediaType, digest, size: bytes.length } };
  }

  private toNode(res: Response): Readable {
    if (!res.body) return Readable.from([]);
    return Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>);
  }

  async openManifest(desc: Descriptor): Promise<Readable> {
    if (this.rootBytes && desc.digest === digestOf(this.rootBytes)) return Readable.from([this.rootBytes]);
    return this.toNode(await this.get(`manifests/${desc.digest}`, desc.mediaType || ACCEPT_MANIFESTS, 60_000));
  }

  async openBlob(desc: Descriptor): Promise<Readable> {
    return this.toNode(await this.get(`blobs/${desc.digest}`));
  }

  async close(): Promise<void> {
    this.rootBytes = undefined;
  }
}
