/** Long-poll waiters per node, woken when the desired-state version moves. In memory only: a
 * lost waiter just times out and the agent polls again. */
export class Waiters {
  private readonly waiting = new Set<() => void>();

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiting.add(done);
    });
  }

  wakeAll(): void {
    for (const w of [...this.waiting]) w();
  }
}
