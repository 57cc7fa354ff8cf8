/**
 * A sleep that ends early when woken: loops wait on it between polls so a
 * notification starts work at once and the poll only covers lost wake-ups.
 */
export class Wakeup {
  private waiters: Array<() => void> = [];
  private pending = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;

  wake(): void {
    const waiters = this.waiters.splice(0);
    if (waiters.length === 0) this.pending = true;
    for (const resolve of waiters) resolve();
  }

  /**
   * Wakes in `ms` (a retry or a delivery that falls due then), unless a wake-up
   * is already set for sooner; the earliest one wins.
   */
  wakeIn(ms: number): void {
    const at = Date.now() + Math.max(0, ms);
    if (this.closed || at >= this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Number.POSITIVE_INFINITY;
        this.wake();
      },
      Math.max(0, ms),
    );
    this.timer.unref();
  }

  /** Waits until woken, or `ms` at most (no limit when omitted). */
  wait(ms?: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.waiters = self.waiters.filter((w) => w !== done);
        resolve();
      }
      this.waiters.push(done);
    });
  }

  /** On stop: drops the timer, wakes every waiter, and makes every later wait return at once. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    this.wake();
  }
}
