// Host ports for network "host" workloads. Each replica keeps its ports across container
// restarts (its endpoint stays put); a port is handed out only if no replica holds it and it
// can be bound right now.
import net from "node:net";

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

function bindable(port: number): Promise<boolean> {
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
  ) {
    this.next = range.from;
  }

  async allocate(count: number): Promise<number[]> {
    const taken = this.held();
    const out: number[] = [];
    const size = this.range.to - this.range.from + 1;
    for (let tried = 0; out.length < count && tried < size; tried++) {
      const p = this.next;
      this.next = p >= this.range.to ? this.range.from : p + 1;
      if (taken.has(p) || out.includes(p)) continue;
      if (await bindable(p)) out.push(p);
    }
    if (out.length < count) throw new Error(`no free host ports left in ${this.range.from}-${this.range.to}`);
    return out;
  }
}
