// Pulling from OCI layouts and archives: digests, the layer cache, whiteouts, platform selection,
// and refusal of anything that does not hash to its digest.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFromImage } from "../../node-agent/cage/index.ts";
import { ImageError, layerTree, nodeIdRange, prepareImage, pullImage, type Progress } from "../../node-agent/image/index.ts";
import { buildBusyboxImage, packOciArchive, type BuiltImage } from "../fixtures/image-builder.ts";
import { blobPath, cleanup, runcIds, tamper, tempDir } from "./helpers.ts";

let work: string;
let image: BuiltImage;

beforeAll(() => {
  work = tempDir("image");
  image = buildBusyboxImage(path.join(work, "busybox"));
});
afterAll(() => cleanup(undefined, work));

function copyLayout(name: string): string {
  const dir = path.join(work, name);
  fs.cpSync(image.dir, dir, { recursive: true });
  return dir;
}

async function imageError(p: Promise<unknown>): Promise<ImageError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ImageError);
  return err as ImageError;
}

describe("pull from an OCI image layout", () => {
  it("verifies, caches and assembles a read-only-ready rootfs", async () => {
    const dataDir = path.join(work, "data-1");
    const progress: Progress[] = [];
    const prepared = await prepareImage(image.ref, { dataDir, rootfsDir: path.join(dataDir, "rootfs-a"), onProgress: (p) => progress.push(p) });
    expect(prepared.manifestDigest).toBe(image.manifestDigest);
    expect(prepared.config).toMatchObject({ Cmd: ["sh"], WorkingDir: "/" });
    const layerSize = fs.statSync(blobPath(image.dir, image.layerDigests[0]!)).size;
    expect(progress.filter((p) => p.kind === "layer").at(-1)).toEqual({ kind: "layer", digest: image.layerDigests[0], fetched: layerSize, total: layerSize });
    // Files are copies shifted into the node's id range; the content-addressed cache stays root's.
    // /tmp keeps its sticky mode.
    const cached = path.join(layerTree(dataDir, image.layerDigests[0]!), "bin/busybox");
    const range = nodeIdRange(dataDir);
    const copied = fs.statSync(path.join(prepared.rootfs, "bin/busybox"));
    expect(copied.ino).not.toBe(fs.statSync(cached).ino);
    expect([copied.uid, copied.gid, copied.mode & 0o7777]).toEqual([range.base, range.base, fs.statSync(cached).mode & 0o7777]);
    expect([fs.statSync(cached).uid, fs.statSync(cached).gid]).toEqual([0, 0]);
    expect(fs.readFileSync(path.join(prepared.rootfs, "bin/busybox")).equals(fs.readFileSync(cached))).toBe(true);
    expect(fs.statSync(path.join(prepared.rootfs, "tmp")).mode & 0o7777).toBe(0o1777);
    expect(fs.readlinkSync(path.join(prepared.rootfs, "bin/sh"))).toBe("busybox");
    expect(fs.readdirSync(path.join(dataDir, "tmp"))).toEqual([]);
  });

  it("unpacks a layer once: a second pull is served from the cache", async () => {
    const dataDir = path.join(work, "data-2");
    const dir = copyLayout("cache-check");
    const ref = `oci:${dir}:latest`;
    await pullImage(ref, { dataDir });
    fs.rmSync(blobPath(dir, image.layerDigests[0]!)); // only verified content ever entered the cache
    const again = await pullImage(ref, { dataDir });
    expect(again.layers).toEqual([layerTree(dataDir, image.layerDigests[0]!)]);
  });

  it("applies whiteouts and opaque directories when stacking layers", async () => {
    const dir = path.join(work, "layered");
    const built = buildBusyboxImage(dir, {
      layers: [
        [
          { path: "data", type: "dir" },
          { path: "data/a", type: "file", data: "a" },
          { path: "data/b", type: "file", data: "b" },
          { path: "keep", type: "dir" },
          { path: "keep/old", type: "file", data: "old" },
          { path: "keep/sub", type: "dir" },
          { path: "keep/sub/x", type: "file", data: "x" },
          { path: "link", type: "symlink", target: "/etc" },
        ],
        [
          { path: "data", type: "dir" },
          { path: "data/.wh.a", type: "file", data: "" },
          { path: "keep", type: "dir", mode: 0o750 },
          { path: "keep/.wh..wh..opq", type: "file", data: "" },
          { path: "keep/new", type: "file", data: "new", mode: 0o600 },
          { path: "etc", type: "dir" },
          { path: "etc/.wh.group", type: "file", data: "" },
          { path: "link", type: "dir" },
          { path: "link/inside", type: "file", data: "not in /etc" },
        ],
      ],
    });
    const dataDir = path.join(work, "data-3");
    const { rootfs } = await prepareImage(built.ref, { dataDir, rootfsDir: path.join(dataDir, "rootfs") });
    expect(fs.readdirSync(path.join(rootfs, "data"))).toEqual(["b"]);
    expect(fs.readdirSync(path.join(rootfs, "keep"))).toEqual(["new"]);
    expect(fs.statSync(path.join(rootfs, "keep")).mode & 0o777).toBe(0o750);
    expect(fs.statSync(path.join(rootfs, "keep/new")).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(path.join(rootfs, "etc/group"))).toBe(false);
    expect(fs.existsSync(path.join(rootfs, "etc/passwd"))).toBe(true);
    expect(fs.lstatSync(path.join(rootfs, "link")).isDirectory()).toBe(true);
    expect(fs.existsSync("/etc/inside")).toBe(false);
    const all = fs.readdirSync(rootfs, { recursive: true }) as string[];
    expect(all.filter((p) => path.basename(p).startsWith(".wh."))).toEqual([]);
  });

  it("follows a nested index to linux/amd64 without touching other platforms", async () => {
    const built = buildBusyboxImage(path.join(work, "multi"), { platformIndex: true }); // its arm64 entry points at a missing blob
    const pulled = await pullImage(built.ref, { dataDir: path.join(work, "data-4") });
    expect(pulled.manifestDigest).toBe(built.manifestDigest);
    expect(pulled.indexDigest).toBe(built.indexDigest);
  });

  it("pulls the same image from an oci-archive and leaves no temp files", async () => {
    const archive = packOciArchive(image.dir, path.join(work, "busybox.tar"));
    const dataDir = path.join(work, "data-5");
    const pulled = await pullImage(`oci-archive:${archive}:latest`, { dataDir });
    expect(pulled.manifestDigest).toBe(image.manifestDigest);
    expect(fs.readdirSync(path.join(dataDir, "tmp"))).toEqual([]);
  });

  it("names the tags it has when asked for one it lacks", async () => {
    const err = await imageError(pullImage(`oci:${image.dir}:nope`, { dataDir: path.join(work, "data-6") }));
    expect(err.code).toBe("not_found");
    expect(err.message).toContain("tags: latest");
  });
});

describe("refusing content that does not match its digest", () => {
  it("refuses a tampered layer and creates no container", async () => {
    const dir = copyLayout("tampered-layer");
    const layer = image.layerDigests[0]!;
    tamper(blobPath(dir, layer));
    const dataDir = path.join(work, "data-7");
    const err = await imageError(createFromImage({ dataDir }, { id: "bad", image: `oci:${dir}:latest`, workload: { command: ["true"] } }));
    expect(err.code).toBe("digest_mismatch");
    expect(err.message).toMatch(new RegExp(`^layer ${layer} digest mismatch: got sha256:[0-9a-f]{64}$`));
    expect(fs.existsSync(path.join(dataDir, "containers", "bad"))).toBe(false);
    expect(fs.existsSync(path.join(dataDir, "layers", layer))).toBe(false);
    expect(runcIds(dataDir)).toEqual([]);
  });

  it("refuses a tampered config", async () => {
    const dir = copyLayout("tampered-config");
    const file = blobPath(dir, image.configDigest);
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('"Cmd":["sh"]', '"Cmd":["id"]'));
    const err = await imageError(pullImage(`oci:${dir}:latest`, { dataDir: path.join(work, "data-8") }));
    expect(err.code).toBe("digest_mismatch"); // same size, other bytes
    expect(err.message).toMatch(new RegExp(`^config ${image.configDigest} digest mismatch: got sha256:`));
  });

  it("refuses a tampered manifest", async () => {
    const dir = copyLayout("tampered-manifest");
    tamper(blobPath(dir, image.manifestDigest));
    const err = await imageError(pullImage(`oci:${dir}:latest`, { dataDir: path.join(work, "data-9") }));
    expect(err.code).toBe("digest_mismatch");
    expect(err.message).toMatch(new RegExp(`^manifest ${image.manifestDigest} digest mismatch`));
  });

  it("refuses a blob longer than its descriptor says", async () => {
    const dir = copyLayout("grown-layer");
    fs.appendFileSync(blobPath(dir, image.layerDigests[0]!), "x");
    const err = await imageError(pullImage(`oci:${dir}:latest`, { dataDir: path.join(work, "data-11") }));
    expect(err.code).toBe("size_mismatch");
  });

  it("reports a missing layer blob", async () => {
    const dir = copyLayout("missing-layer");
    fs.rmSync(blobPath(dir, image.layerDigests[0]!));
    const err = await imageError(pullImage(`oci:${dir}:latest`, { dataDir: path.join(work, "data-10") }));
    expect(err.code).toBe("not_found");
    expect(err.message).toContain(image.layerDigests[0]);
  });
});
