// Ports of a network "none" replica. The container keeps its own network namespace (loopback
// only, no route anywhere); the agent listens on the replica's host ports and hands every accepted
// connection, as a file descriptor over Node's IPC channel, to a small forwarder that runs inside
// the container's network namespace only (`nsenter --net`, nothing else joined) and connects it to
// 127.0.0.1:<container_port> there, or to [::1]:<container_port> when nothing listens on the IPv4
// loopback (an app bound to ::1 only); the host connection is read only once one accepted. Nothing is added to the namespace (no veth, no route, no
// iptables state), so the workload still cannot open a connection out, to the host included.
// The forwarder is the agent's child: when the agent dies its IPC channel closes and it exits;
// a restarted agent that adopts the container starts a new one.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import type { HostPort } from "./records.ts";

/**
 * Runs as `node -e` inside the container's network namespace. `m.port` is the container port;
 * the handle is the accepted host connection, piped once a loopback address (IPv4 first, then
 * ::1) accepted the inner one. Exits when the agent's channel closes.
 */
const FORWARDER = `
const net = require("node:net");
const HOSTS = ["127.0.0.1", "::1"];
process.on("message", (m, c) => {
  if (!c || !m || typeof m.port !== "number") { if (c) c.destroy(); return; }
  let up = null;
  c.on("error", () => { c.destroy(); if (up) up.destroy(); });
  c.on("close", () => { if (up) up.destroy(); });
  const attempt = (i) => {
    const u = net.connect({ host: HOSTS[i], port: m.port });
    up = u;
    let open = false;
    u.once("connect", () => {
      open = true;
      const end = () => { c.destroy(); u.destroy(); };
      u.on("error", end); u.on("close", end);
      c.pipe(u); u.pipe(c);
    });
    u.once("error", () => {
      if (open) return;
      u.destroy();
      if (i + 1 < HOSTS.length && !c.destroyed) attempt(i + 1); else c.destroy();
    });
  };
  attempt(0);
});
process.on("disconnect", () => process.exit(0));
process.send("ready");
`;

export interface ForwardLog {
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

function onPath(bin: string): string | undefined {
  for (const dir of (process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
    const p = path.join(dir, bin);
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}

/** Whether this host can forward into a network namespace (util-linux nsenter present). */
export const canForwardPorts = (): boolean => onPath("nsenter") !== undefined;

const listen = (port: number): Promise<net.Server> =>
  new Promise((resolve, reject) => {
    // Paused until the forwarder has it: the agent never reads a byte of the connection.
    const srv = net.createServer({ pauseOnConnect: true });
    srv.once("error", reject);
    srv.listen({ port, host: "0.0.0.0", exclusive: true }, () => {
      srv.off("error", reject);
      resolve(srv);
    });
  });

export class PortForwarder {
  private child: ChildProcess | null = null;
  private ready = false;
  private closed = false;
  private respawns = 0;

  private constructor(
    private readonly pid: number,
    private readonly servers: { srv: net.Server; port: HostPort }[],
    private readonly log: ForwardLog,
    private readonly container: string,
  ) {}

  /**
   * Listens on each host port and starts the forwarder in the network namespace of `pid` (the
   * container's init). Resolves once the forwarder is ready; a port still held (an old agent's
   * listener going away) is retried for a few seconds.
   */
  static async start(pid: number, ports: readonly HostPort[], log: ForwardLog, container: string): Promise<PortForwarder> {
    const nsenter = onPath("nsenter");
    if (!nsenter) throw new Error("nsenter (util-linux) is not installed: ports of a network \"none\" replica cannot be served");
    const servers: { srv: net.Server; port: HostPort }[] = [];
    try {
      for (const p of ports) {
        const deadline = Date.now() + 5000;
        for (;;) {
          try {
            servers.push({ srv: await listen(p.host_port), port: p });
            break;
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE" || Date.now() > deadline) throw err;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      }
    } catch (err) {
      await Promise.all(servers.map((s) => new Promise((r) => s.srv.close(r))));
      throw err;
    }
    const f = new PortForwarder(pid, servers, log, container);
    for (const { srv, port } of servers) srv.on("connection", (c: net.Socket) => f.hand(c, port.container_port));
    try {
      await f.spawn(nsenter);
    } catch (err) {
      await f.close();
      throw err;
    }
    return f;
  }

  private hand(c: net.Socket, port: number): void {
    const child = this.child;
    if (!child || !this.ready || !child.connected) {
      c.destroy();
      return;
    }
    // The descriptor goes to the forwarder; the agent's copy is closed once it is sent.
    child.send({ port }, c, (err) => {
      if (err) c.destroy();
    });
  }

  private spawn(nsenter: string): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.closed) return resolve();
      const child = spawn(nsenter, [`--net=/proc/${this.pid}/ns/net`, "--", process.execPath, "-e", FORWARDER], {
        stdio: ["ignore", "ignore", "pipe", "ipc"],
        env: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin" },
      });
      this.child = child;
      let stderr = "";
      child.stderr!.on("data", (b: Buffer) => {
        if (stderr.length < 2000) stderr += b.toString();
      });
      child.once("message", () => {
        this.ready = true;
        resolve();
      });
      child.once("exit", (code, signal) => {
        const wasReady = this.ready;
        this.ready = false;
        if (this.child === child) this.child = null;
        const why = `port forwarder exited (${signal ?? code})${stderr ? `: ${stderr.trim()}` : ""}`;
        reject(new Error(why));
        if (this.closed || !wasReady) return;
        // Crashed while the container runs: start it again (its namespace is still there as long
        // as the container is), a few times.
        this.log.warn(why, { container: this.container });
        if (this.respawns++ < 5) setTimeout(() => void this.spawn(nsenter).catch(() => {}), 200 * this.respawns);
        else this.log.error("port forwarder gave up; the replica's ports are not served", { container: this.container });
      });
    });
  }

  /** Stops listening and ends the forwarder (and with it every open connection). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.servers.map(({ srv }) => new Promise((r) => srv.close(r))));
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGKILL");
      await exited;
    }
  }
}
