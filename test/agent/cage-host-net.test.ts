// Real runc: what a host-network container (an admin's opt-in) can and cannot reach on the node,
// and that the default network reaches nothing of the host's.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
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

/** What a TCP server on 127.0.0.1:port sends before it hangs up ("" when none listens). */
function readFrom(port: number): Promise<string> {
  return new Promise((resolve) => {
    const c = net.connect(port, "127.0.0.1");
    let buf = "";
    c.on("data", (d) => (buf += String(d)));
    c.on("end", () => resolve(buf));
    c.on("error", () => resolve(""));
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

  it("a host-network container cannot open a connection to a loopback port or the host's own address", async () => {
    const srv = await listen(0);
    const port = (srv.address() as net.AddressInfo).port;
    const hostIp = Object.values(os.networkInterfaces()).flat().find((a) => a && a.family === "IPv4" && !a.internal)?.address;
    expect(await readFrom(port)).toBe("secret\n"); // the host itself can
    const probe = (addr: string) => `nc -w 2 ${addr} ${port} </dev/null; echo "${addr}=$?"`;
    const out = await run("tcp-host", { command: ["sh", "-c", [probe("127.0.0.1"), ...(hostIp ? [probe(hostIp)] : [])].join("; ")], cage: { network: "host" } });
    expect(out).not.toContain("secret");
    expect(out).toContain("127.0.0.1=1\n");
    if (hostIp) expect(out).toContain(`${hostIp}=1\n`);
  });

  it("a host-network container still serves: the host reaches its port", async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const { container } = await createFromImage({ dataDir }, { id: "serve-host", image: image.ref, workload: { command: ["sh", "-c", `echo served | nc -l -p ${port}`], cage: { network: "host" } } });
    await container.start();
    let got = "";
    for (let i = 0; i < 50 && !got; i++) {
      got = await readFrom(port);
      if (!got) await new Promise((r) => setTimeout(r, 100));
    }
    expect(got).toBe("served\n");
    await container.wait();
    await container.delete();
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
