// An OCI image layout directory (image-spec "image-layout.md"): oci-layout, index.json, blobs/<alg>/<hex>.
import fs from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { parseDigest } from "../digest.ts";
import { ImageError } from "../errors.ts";
import { descriptorSchema, type Descriptor } from "../manifest.ts";
import type { ImageSource, RootDescriptor } from "./source.ts";
import { z } from "zod";

const REF_NAME = "org.opencontainers.image.ref.name";
const layoutIndexSchema = z.object({ schemaVersion: z.literal(2), manifests: z.array(descriptorSchema) });

export class LayoutSource implements ImageSource {
  constructor(
    readonly dir: string,
    readonly tag: string | undefined,
    readonly name: string = `oci:${dir}${tag ? `:${tag}` : ""}`,
  ) {}

  private async readSmall(file: string): Promise<string> {
    try {
      return fs.readFileSync(path.join(this.dir, file), "utf8"); // a few KiB: no thread-pool round trip
    } catch (err) {
      throw new ImageError("not_found", `${this.name}: cannot read ${file}: ${(err as Error).message}`, { cause: err });
    }
  }

  async resolveRoot(): Promise<RootDescriptor> {
    const layout = await this.readSmall("oci-layout");
    if (!/"imageLayoutVersion"\s*:\s*"1\.0\.\d+"/.test(layout)) throw new ImageError("unsupported", `${this.name}: oci-layout is not imageLayoutVersion 1.0.x`);
    let raw: unknown;
    try {
      raw = JSON.parse(await this.readSmall("index.json"));
    } catch (err) {
      if (err instanceof ImageError) throw err;
      throw new ImageError("bad_manifest", `${this.name}: index.json is not JSON`, { cause: err });
    }
    const parsed = layoutIndexSchema.safeParse(raw);
    if (!parsed.success) throw new ImageError("bad_manifest", `${this.name}: index.json is malformed: ${parsed.error.issues[0]?.message}`);
    const manifests = parsed.data.manifests;
    if (this.tag === undefined) {
      if (manifests.length === 1) return { desc: manifests[0]! };
      throw new ImageError("not_found", `${this.name}: index.json lists ${manifests.length} images; name one with :<tag>`);
    }
    const hit = manifests.filter((m) => m.annotations?.[REF_NAME] === this.tag);
    if (hit.length === 0) {
      const tags = manifests.map((m) => m.annotations?.[REF_NAME]).filter(Boolean).join(", ");
      throw new ImageError("not_found", `${this.name}: no image tagged ${JSON.stringify(this.tag)} (tags: ${tags || "none"})`);
    }
    return { desc: hit[0]! };
  }

  blobPath(desc: Descriptor): string {
    const { algorithm, hex } = parseDigest(desc.digest); // validated: no path traversal through the digest
    return path.join(this.dir, "blobs", algorithm, hex);
  }

  async openBlob(desc: Descriptor): Promise<Readable> {
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(this.blobPath(desc), "r");
    } catch (err) {
      throw new ImageError("not_found", `blob ${desc.digest} missing from ${this.name}`, { cause: err });
    }
    return handle.createReadStream();
  }

  openManifest(desc: Descriptor): Promise<Readable> {
    return this.openBlob(desc);
  }

  /** Manifests and configs are a few KiB on local disk: one synchronous read beats a stream. */
  async readSmallBlob(desc: Descriptor, max: number): Promise<Uint8Array> {
    let fd: number;
    try {
      fd = fs.openSync(this.blobPath(desc), "r");
    } catch (err) {
      throw new ImageError("not_found", `blob ${desc.digest} missing from ${this.name}`, { cause: err });
    }
    try {
      const buf = Buffer.allocUnsafe(max);
      let n = 0;
      for (let got = -1; got !== 0 && n < max; n += got) got = fs.readSync(fd, buf, n, max - n, null);
      return buf.subarray(0, n);
    } finally {
      fs.closeSync(fd);
    }
  }

  async close(): Promise<void> {}
}
