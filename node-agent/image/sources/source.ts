// Where image content comes from. Sources return raw, unverified bytes: checking them against
// their digests is done once, in verified-fetch.ts, whatever the transport.
import type { Readable } from "node:stream";
import type { Descriptor } from "../manifest.ts";

export interface RootDescriptor {
  /** for a registry tag, the digest is computed from the fetched manifest bytes */
  desc: Descriptor;
}

export interface ImageSource {
  /** for error messages: "oci:/srv/images/busybox:latest" */
  readonly name: string;
  /** the descriptor the reference names (by tag, or by digest) */
  resolveRoot(): Promise<RootDescriptor>;
  /** a manifest or index, by descriptor */
  openManifest(desc: Descriptor): Promise<Readable>;
  /** a config or layer blob, by descriptor */
  openBlob(desc: Descriptor): Promise<Readable>;
  /**
   * Optional fast path for a small manifest or config on local storage: at most `max` bytes of
   * it in one piece (still unverified; verified-fetch.ts checks them exactly as a stream).
   */
  readSmallBlob?(desc: Descriptor, max: number): Promise<Uint8Array>;
  /** releases temporary files */
  close(): Promise<void>;
}
