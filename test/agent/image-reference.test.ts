import { describe, expect, it } from "vitest";
import { ImageError, parseImageRef } from "../../node-agent/image/index.ts";

const D = "sha256:" + "ab".repeat(32);

describe("image references (PROTOCOL.md §5)", () => {
  it.each([
    ["oci:/srv/images/busybox:latest", { kind: "oci-layout", dir: "/srv/images/busybox", tag: "latest" }],
    ["oci:/srv/images/busybox", { kind: "oci-layout", dir: "/srv/images/busybox", tag: undefined }],
    ["oci:/a:b/c:v1.2", { kind: "oci-layout", dir: "/a:b/c", tag: "v1.2" }],
    ["oci-archive:/x/busybox.tar:v2", { kind: "oci-archive", file: "/x/busybox.tar", tag: "v2" }],
    ["oci-archive:/x/busybox.tar", { kind: "oci-archive", file: "/x/busybox.tar", tag: undefined }],
  ])("%s", (ref, want) => {
    expect(parseImageRef(ref)).toEqual(want);
  });

  it.each([
    ["127.0.0.1:5000/enc/busybox:1.0", "http://127.0.0.1:5000", "enc/busybox", "1.0", undefined],
    [`localhost:5000/x@${D}`, "http://localhost:5000", "x", undefined, D],
    ["[::1]:5000/x", "http://[::1]:5000", "x", "latest", undefined],
    ["127.9.9.9/team/app:tag_1", "http://127.9.9.9", "team/app", "tag_1", undefined],
    ["ghcr.io/org/app:v1", "https://ghcr.io", "org/app", "v1", undefined],
    ["10.0.0.1:5000/app", "https://10.0.0.1:5000", "app", "latest", undefined],
    [`registry.example.com/a/b/c:t@${D}`, "https://registry.example.com", "a/b/c", "t", D],
    ["busybox", "https://registry-1.docker.io", "library/busybox", "latest", undefined],
    ["user/app:2", "https://registry-1.docker.io", "user/app", "2", undefined],
  ])("%s → %s/v2/%s", (ref, baseUrl, repository, tag, digest) => {
    expect(parseImageRef(ref)).toMatchObject({ kind: "registry", baseUrl, repository, tag, digest });
  });

  it.each(["", "oci:", "oci:relative/dir:latest", "oci-archive:x.tar", "Foo/Bar:1", "http://127.0.0.1:5000/x", "ghcr.io/x@sha256:zz", "a b", "ghcr.io/x:"])(
    "rejects %j",
    (ref) => {
      expect(() => parseImageRef(ref)).toThrowError(ImageError);
      try {
        parseImageRef(ref);
      } catch (err) {
        expect((err as ImageError).code).toBe("bad_reference");
      }
    },
  );
});
