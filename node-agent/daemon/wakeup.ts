// A doorbell for the daemon's loops: wait until rung, a timeout, or shutdown. A ring while
// nobody waits is remembered for the next wait, so a wake-up is never lost between checks.
export class Wakeup {
  private readonly waiters = new Set<(woken: boolean) => void>();
  private rung = false;

  wake(): void {
    if (this.waiters.size === 0) {
      this.rung = true;
      return;
    }
    for (const w of [...this.waiters]) w(true);
  }

  /** Resolves true when woken (now or earlier since the last wait), false on timeout or abort. */
  wait(ms: number, signal?: AbortSignal): Promise<boolean> {
    if (this.rung) {
      this.rung = false;
      return Promise.resolve(true);
    }
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (woken: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.waiters.delete(done);
        resolve(woken);
      };
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), Math.min(Math.max(0, ms), 2 ** 31 - 1));
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.add(done);
    });
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Wakeup().wait(ms, signal).then(() => undefined);
}
