// --init: Debian's tini-static bind-mounted as PID 1 (as `docker run --init` does), so a SIGTERM
// reaches the workload's process; a host without it runs the container without, and says so.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFromImage } from "../../node-agent/cage/index.ts";
import { buildBusyboxImage, type BuiltImage } from "../fixtures/image-builder.ts";
import { cleanup, tempDir } from "./helpers.ts";

let work: string;
let dataDir: string;
let image: BuiltImage;

beforeAll(() => {
  work = tempDir("cage-init");
  dataDir = path.join(work, "data");
  image = buildBusyboxImage(path.join(work, "busybox"));
});
afterAll(() => cleanup(dataDir, work));

const within = <T>(p: Promise<T>, ms: number) => Promise.race([p, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), ms))]);

describe("init as PID 1", () => {
  it("runs tini as PID 1: SIGTERM ends a command that has no handler for it", async () => {
    const { container } = await createFromImage({ dataDir }, { id: "with-init", image: image.ref, workload: { command: ["sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '; echo; exec sleep 300"], init: true } });
    expect(container.meta.init).toBe("tini");
    await container.start();
    const out = container.paths.stdout;
    const deadline = Date.now() + 10_000;
    while (!(fs.existsSync(out) && fs.readFileSync(out, "utf8").includes("\n")) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(fs.readFileSync(out, "utf8")).toMatch(/^\/\.enc-init\/tini -- sh -c /);
    await container.kill("SIGTERM");
    const exit = await within(container.wait(), 10_000);
    expect(exit).not.toBe("timeout");
    expect(exit).toMatchObject({ exitCode: 143 }); // tini passes on the signal's exit status
    await container.delete();
  });

  it("without an init, the same command as PID 1 ignores SIGTERM (what --init is for)", async () => {
    const { container } = await createFromImage({ dataDir }, { id: "no-init", image: image.ref, workload: { command: ["sleep", "300"] } });
    expect(container.meta.init).toBe("off");
    await container.start();
    await container.kill("SIGTERM");
    expect(await within(container.wait(), 1500)).toBe("timeout"); // a negative: the bounded window is the test
    await container.kill("SIGKILL");
    expect(await within(container.wait(), 10_000)).toMatchObject({ reason: "killed" });
    await container.delete();
  });

  it("a host without the init binary runs the container without one and records why", async () => {
    const { container } = await createFromImage({ dataDir, initBinary: path.join(work, "no-such-tini") }, { id: "absent-init", image: image.ref, workload: { command: ["echo", "ran"], init: true } });
    expect(container.meta.init).toBe(`none: ${path.join(work, "no-such-tini")} is absent on this host`);
    await container.start();
    expect(await container.wait()).toMatchObject({ exitCode: 0 });
    expect(fs.readFileSync(container.paths.stdout, "utf8")).toBe("ran\n");
    await container.delete();
  });
});
