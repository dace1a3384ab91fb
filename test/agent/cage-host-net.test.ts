// Real runc: what a host-network container (an admin's opt-in) can and cannot reach on the node,
// and that the default network reaches nothing of the host's.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFromImage } from "../../node-agent/cage/index.ts";
import { buildBusyboxImage, type BuiltImage } from "../fixtures/image-builder.ts";
import { cleanup, tempDir } from "./helpers.ts";

const HERE = path.dirname(fileURLToPath(import.meta.url));
let work: string;
let dataDir: string;
let image: BuiltImage;
const servers: net.Server[] = [];

beforeAll(() => {
  work = tempDir("cage-hostnet");
  dataDir = path.join(work, "data");
  const helper = path.join(work, "abstract-connect");
  execFileSync("gcc", ["-static", "-O2", "-o", helper, path.join(HERE, "../fixtures/abstract-connect.c")]);
  image = buildBusyboxImage(path.join(work, "img"), { layers: [[{ path: "bin/abstract-connect", type: "file", data: fs.readFileSync(helper), mode: 0o755 }]] });
});
afterAll(() => {
  for (const s of servers) s.close();
  cleanup(dataDir, work);
});

function listen(where: string | number): Promise<net.Server> {
  return new Promise((resolve) => {
    const srv = net.createServer((c) => {
      c.on("error", () => undefined); // clients that hang up early
      c.end("secret\n");
    });
    servers.push(srv);
    if (typeof where === "string") srv.listen(where, () => resolve(srv));
    else srv.listen(where, "127.0.0.1", () => resolve(srv));
  });
}

async function run(id: string, workload: Record<string, unknown>): Promise<string> {
  const { container } = await createFromImage({ dataDir }, { id, image: image.ref, workload });
  await container.start();
  await container.wait();
  const out = fs.readFileSync(container.paths.stdout, "utf8");
  await container.delete();
  return out;
}

describe("the cage and the node's local services", () => {
  it("a host-network container cannot reach an abstract unix socket of the host", async () => {
    const name = `enc-h10e-${process.pid}-${Date.now()}`;
    await listen(`\0${name}`);
    // the host itself can: the socket is there
    expect(execFileSync(path.join(work, "abstract-connect"), [name], { encoding: "utf8" })).toBe("connected\n");
    const out = await run("abstract-host", { command: ["abstract-connect", name], cage: { network: "host" } });
    expect(out).toBe("socket: Operation not permitted\n");
  });

  it("a host-network container keeps TCP (its reason to exist)", async () => {
    const srv = await listen(0);
    const port = (srv.address() as net.AddressInfo).port;
    const out = await run("tcp-host", { command: ["sh", "-c", `nc 127.0.0.1 ${port} </dev/null`], cage: { network: "host" } });
    expect(out).toBe("secret\n");
  });

  it("a default container reaches neither the host's loopback ports nor its abstract sockets", async () => {
    const srv = await listen(0);
    const port = (srv.address() as net.AddressInfo).port;
    const name = `enc-h10e-none-${process.pid}-${Date.now()}`;
    await listen(`\0${name}`);
    const out = await run("isolated", { command: ["sh", "-c", `nc -w 2 127.0.0.1 ${port} </dev/null; echo nc=$?; abstract-connect ${name}`] });
    expect(out).toBe("nc=1\nconnect: Connection refused\n");
  });
});
