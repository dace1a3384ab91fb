// Waking up when the shim or runc drops a file into a container dir (exit_code, init.pid), by
// inotify through fs.watch, instead of polling on a timer. Both files appear by rename(), so one
// event per file is enough; a fallback poll covers a watch that could not be set up (inotify
// limits) or an event that was missed.
import fs from "node:fs";

export class DirWatch {
  private watcher?: fs.FSWatcher;
  private wake?: () => void;
  private pending = false;

  /** Watches `dir` for entries named in `names` (any event when the kernel gives no name). */
  constructor(dir: string, names: readonly string[]) {
    try {
      this.watcher = fs.watch(dir, { persistent: false }, (_event, name) => {
        if (name !== null && !names.includes(String(name))) return;
        this.pending = true;
        this.wake?.();
      });
      this.watcher.on("error", () => this.close());
    } catch {
      this.watcher = undefined; // polling only
    }
  }

  get watching(): boolean {
    return this.watcher !== undefined;
  }

  /** Resolves on the next relevant event (or one that came since the last call), or after `ms`. */
  next(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.pending = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}
