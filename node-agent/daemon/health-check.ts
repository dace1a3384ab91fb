// A replica's health check, run by the agent: an HTTP GET of http_path on the replica's first
// host port (2xx/3xx is healthy), or a command run inside the container with `runc exec`
// (exit 0 is healthy). Healthy after one success, unhealthy after `threshold` failures in a row.
import type { Runc } from "../cage/runc.ts";
import type { Logger } from "./logger.ts";
import { sleep } from "./wakeup.ts";

export interface HealthSpec {
  http_path?: string;
  command?: string[];
  interval_s: number;
  threshold: number;
}

export interface HealthTarget {
  /** host port the workload listens on (network "host") */
  port?: number;
  container: string;
  runc: Runc;
}

export class HealthChecker {
  healthy: boolean | undefined;
  private failures = 0;
  private readonly stop = new AbortController();

  constructor(
    private readonly spec: HealthSpec,
    private readonly target: HealthTarget,
    private readonly log: Logger,
  ) {}

  start(): void {
    void this.loop();
  }

  close(): void {
    this.stop.abort();
  }

  private async loop(): Promise<void> {
    const signal = this.stop.signal;
    await sleep(Math.min(1000, this.spec.interval_s * 1000), signal); // give the workload a moment to bind
    while (!signal.aborted) {
      const ok = await this.probe().catch(() => false);
      if (signal.aborted) break;
      if (ok) {
        if (this.healthy !== true) this.log.info("health check passing", { container: this.target.container });
        this.failures = 0;
        this.healthy = true;
      } else if (++this.failures >= this.spec.threshold) {
        if (this.healthy !== false) this.log.warn("health check failing", { container: this.target.container, failures: this.failures });
        this.healthy = false;
      }
      await sleep(this.spec.interval_s * 1000, signal);
    }
  }

  private async probe(): Promise<boolean> {
    const timeoutMs = Math.min(5000, this.spec.interval_s * 1000);
    if (this.spec.http_path !== undefined) {
      if (this.target.port === undefined) return false; // nothing reachable from the host
      const res = await fetch(`http://127.0.0.1:${this.target.port}${this.spec.http_path}`, { signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
      await res.body?.cancel();
      return res.status >= 200 && res.status < 400;
    }
    if (this.spec.command?.length) {
      const r = await this.target.runc.exec(["exec", this.target.container, ...this.spec.command], timeoutMs);
      return r.code === 0;
    }
    return false;
  }
}
