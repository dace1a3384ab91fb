// Host ports for network "host" workloads. Each replica keeps its ports across container
// restarts (its endpoint stays put); a port is handed out only if no replica holds it, no other
// agent on this host has claimed it, and it can be bound right now.
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

export interface PortRange {
  from: number;
  to: number;
}

export const DEFAULT_PORT_RANGE: PortRange = { from: 30_000, to: 32_767 };

export function parsePortRange(s: string): PortRange {
  const m = /^(\d+)-(\d+)$/.exec(s);
  const from = Number(m?.[1]);
  const to = Number(m?.[2]);
  if (!m || from < 1 || to > 65_535 || from > to) throw new Error(`--port-range must look like 30000-32767, got ${s}`);
  return { from, to };
}

/** Where agents on one host claim ports (tmpfs under /run: claims end with the host's containers). */
export const DEFAULT_CLAIMS_DIR = "/run/enc-agent/host-ports";

/**
 * Host-wide claims, one file per port naming the claiming agent's data dir. A port that is free
 * to bind may still be promised to a replica of another agent whose container has not bound it
 * yet (or is restarting): the claim closes that window. A claim whose data dir is gone is stale.
 */
export class PortClaims {
  constructor(
    private readonly dir: string,
    /** this agent's data dir: the claim's owner, stable across agent restarts */
    private readonly owner: string,
  ) {}

  private file(port: number): string {
    return path.join(this.dir, String(port));
  }

  private ownerOf(port: number): string | null {
    try {
      return fs.readFileSync(this.file(port), "utf8");
    } catch {
      return null;
    }
  }

  /** True if the port is now claimed by this agent (or already was). */
  claim(port: number): boolean {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o755 });
    for (let i = 0; i < 2; i++) {
      try {
        fs.writeFileSync(this.file(port), this.owner, { flag: "wx", mode: 0o644 });
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
      const owner = this.ownerOf(port);
      if (owner === this.owner) return true;
      if (owner === null || fs.existsSync(owner)) return false;
      fs.rmSync(this.file(port), { force: true }); // its agent's data dir is gone: stale
    }
    return false;
  }

  /** Another agent's live claim on `port`. */
  heldByOther(port: number): boolean {
    const owner = this.ownerOf(port);
    return owner !== null && owner !== this.owner && fs.existsSync(owner);
  }

  release(port: number): void {
    if (this.ownerOf(port) === this.owner) fs.rmSync(this.file(port), { force: true });
  }

  /** This agent's claims that no replica of it holds any more (left by a crash). */
  releaseAllBut(keep: Set<number>): void {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return;
    }
    for (const n of names) if (/^\d+$/.test(n) && !keep.has(Number(n))) this.release(Number(n));
  }
}

export function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen({ port, host: "0.0.0.0", exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

export class PortAllocator {
  private next: number;

  constructor(
    private readonly range: PortRange,
    /** ports held by replicas right now */
    private readonly held: () => Set<number>,
    readonly claims?: PortClaims,
  ) {
    this.next = range.from;
  }

  /**
   * Why a port a replica already holds cannot be used for its next container, or null: another
   * agent claimed it, or some process on the host has it bound.
   */
  async unusable(port: number): Promise<string | null> {
    if (this.claims && !this.claims.claim(port)) return `host port ${port} is claimed by another agent on this host`;
    if (!(await bindable(port))) return `host port ${port} is in use by another process on this host`;
    return null;
  }

  release(ports: readonly number[]): void {
    for (const p of ports) this.claims?.release(p);
  }

  async allocate(count: number): Promise<number[]> {
    const taken = this.held();
    const out: number[] = [];
    const size = this.range.to - this.range.from + 1;
    for (let tried = 0; out.length < count && tried < size; tried++) {
      const p = this.next;
      this.next = p >= this.range.to ? this.range.from : p + 1;
      if (taken.has(p) || out.includes(p)) continue;
      if (this.claims?.heldByOther(p)) continue;
      if (!(await bindable(p))) continue;
      if (this.claims && !this.claims.claim(p)) continue; // another agent was quicker
      out.push(p);
    }
    if (out.length < count) {
      this.release(out);
      throw new Error(`no free host ports left in ${this.range.from}-${this.range.to}`);
    }
    return out;
  }
}
