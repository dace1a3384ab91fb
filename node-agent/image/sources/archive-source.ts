// oci-archive: an OCI image layout packed as a tar. It is unpacked into a private temp dir (only
// index.json, oci-layout and blobs/ as plain files), then read as a layout.
import fs from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { extract } from "tar";
import { ImageError } from "../errors.ts";
import type { Descriptor } from "../manifest.ts";
import { LayoutSource } from "./layout-source.ts";
import type { ImageSource, RootDescriptor } from "./source.ts";

const WANTED = /^(\.\/)?(index\.json|oci-layout|blobs(\/[a-z0-9]+(\/[a-f0-9]+)?)?\/?)$/;

export class ArchiveSource implements ImageSource {
  private layout?: LayoutSource;
  private tmp?: string;

  constructor(
    readonly file: string,
    readonly tag: string | undefined,
    readonly tmpRoot: string,
    readonly name: string = `oci-archive:${file}${tag ? `:${tag}` : ""}`,
  ) {}

  private async open(): Promise<LayoutSource> {
    if (this.layout) return this.layout;
    if (!fs.existsSync(this.file)) throw new ImageError("not_found", `${this.name}: archive not found`);
    await fs.promises.mkdir(this.tmpRoot, { recursive: true });
    this.tmp = await fs.promises.mkdtemp(path.join(this.tmpRoot, "archive-"));
    try {
      await extract({
        file: this.file,
        cwd: this.tmp,
        // Only regular files and directories with layout names: links in an archive could point anywhere.
        filter: (p, entry) => WANTED.test(p) && ("type" in entry ? entry.type === "File" || entry.type === "Directory" : true),
      });
    } catch (err) {
      throw new ImageError("bad_manifest", `${this.name}: cannot unpack archive: ${(err as Error).message}`, { cause: err });
    }
    this.layout = new LayoutSource(this.tmp, this.tag, this.name);
    return this.layout;
  }

  async resolveRoot(): Promise<RootDescriptor> {
    return (await this.open()).resolveRoot();
  }

  async openBlob(desc: Descriptor): Promise<Readable> {
    return (await this.open()).openBlob(desc);
  }

  async readSmallBlob(desc: Descriptor, max: number): Promise<Uint8Array> {
    return (await this.open()).readSmallBlob(desc, max);
  }

  async openManifest(desc: Descriptor): Promise<Readable> {
    return (await this.open()).openManifest(desc);
  }

  async close(): Promise<void> {
    if (this.tmp) await fs.promises.rm(this.tmp, { recursive: true, force: true });
    this.tmp = undefined;
    this.layout = undefined;
  }
}
