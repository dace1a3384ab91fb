// Real runc: what a host-network container (an admin's opt-in) can and cannot reach on the node,
// and that the default network reaches nothing of the host's, yet serves its ports through the
// agent's forwarder.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFromImage } from "../../node-agent/cage/index.ts";
import { PortForwarder } from "../../node-agent/daemon/port-forward.ts";
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

/**
 * A container running `command` (sh -c) with its port 8080 published on a free host port through
 * a PortForwarder, and its first answer there (or "" after 5 s).
 */
async function forwarded(id: string, command: string) {
  const free = net.createServer();
  await new Promise<void>((r) => free.listen(0, "0.0.0.0", r));
  const hostPort = (free.address() as net.AddressInfo).port;
  await new Promise((r) => free.close(r));
  const ports = [{ container_port: 8080, host_port: hostPort }];
  const { container } = await createFromImage({ dataDir }, { id, image: image.ref, workload: { command: ["sh", "-c", command], ports } });
  await container.start();
  const { pid } = await container.state();
  const logged: string[] = [];
  const log = { warn: (m: string) => logged.push(m), error: (m: string) => logged.push(m) };
  const fwd = await PortForwarder.start(pid!, ports, log, container.id);
  let body = "";
  for (let i = 0; i < 50 && !body; i++) {
    body = await fetch(`http://127.0.0.1:${hostPort}/`).then((r) => (r.ok ? r.text() : ""), () => "");
    if (!body) await new Promise((r) => setTimeout(r, 100));
  }
  return { container, hostPort, fwd, logged, body };
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

  it("a default (network none) container serves its port through the agent's forwarder and still cannot connect out", async () => {
    const srv = await listen(0);
    const secret = (srv.address() as net.AddressInfo).port;
    const hostIp = Object.values(os.networkInterfaces()).flat().find((a) => a && a.family === "IPv4" && !a.internal)?.address;
    const { container, hostPort, fwd, logged, body } = await forwarded("serve-none", 'mkdir /tmp/www && echo "served on $PORT_8080" > /tmp/www/index.html && exec httpd -f -p "$PORT" -h /tmp/www');
    try {
      // the workload listens on its container port, in its own namespace; the host reaches it
      expect(body).toBe("served on 8080\n");
      if (hostIp) expect(await fetch(`http://${hostIp}:${hostPort}/`).then((r) => r.text())).toBe(body);
      // the forwarder added nothing to the namespace: loopback only, no route out, the host's
      // loopback port (and its own forwarded port by the host's address) unreachable
      const probe = (addr: string, port: number) => `nc -w 2 ${addr} ${port} </dev/null; echo "${addr}:${port}=$?"`;
      const script = ["tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '", "ip route 2>/dev/null | wc -l", probe("127.0.0.1", secret), ...(hostIp ? [probe(hostIp, secret), probe(hostIp, hostPort)] : [])].join("; ");
      const r = await container.runc.exec(["exec", container.id, "sh", "-c", script]);
      expect(r.stdout).not.toContain("secret");
      expect(r.stdout).toContain(`lo\n0\n127.0.0.1:${secret}=1\n`);
      if (hostIp) expect(r.stdout).toContain(`${hostIp}:${secret}=1\n${hostIp}:${hostPort}=1\n`);
    } finally {
      await fwd.close();
    }
    // closed: nothing listens on the host port any more
    expect(await fetch(`http://127.0.0.1:${hostPort}/`).then(() => "answered", () => "refused")).toBe("refused");
    expect(logged).toEqual([]);
    await container.kill("SIGKILL");
    await container.wait();
    await container.delete();
  });

  it("the forwarder reaches an app that listens on ::1 only", async () => {
    const { container, fwd, logged, body } = await forwarded("serve-v6", 'mkdir /tmp/www && echo "served on [::1]" > /tmp/www/index.html && exec httpd -f -p "[::1]:$PORT" -h /tmp/www');
    try {
      expect(body).toBe("served on [::1]\n");
      // It listens on ::1 only: inside its namespace, the IPv4 loopback refuses.
      const r = await container.runc.exec(["exec", container.id, "sh", "-c", "nc -w 2 127.0.0.1 8080 </dev/null; echo v4=$?; nc -w 2 ::1 8080 </dev/null; echo v6=$?"]);
      expect(r.stdout).toContain("v4=1\nv6=0\n");
    } finally {
      await fwd.close();
    }
    expect(logged).toEqual([]);
    await container.kill("SIGKILL");
    await container.wait();
    await container.delete();
  });
});
