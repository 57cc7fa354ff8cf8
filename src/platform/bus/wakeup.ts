/**
 * A sleep that ends early when woken: loops wait on it between polls so a
 * notification starts work at once and the poll only covers lost wake-ups.
 */
const MAX_DUE_TIMES = 1000;

export class Wakeup {
  private waiters: Array<() => void> = [];
  private pending = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private dueTimes: number[] = [];

  /**
   * Wakes one waiter, or the next `wait` if none is waiting. One: the loops
   * sharing a wake-up (a group's consumers) all woke for each notification and
   * all but one found nothing to claim, a transaction each (about one empty
   * claim per love note at a low rate). A loop that finds more than it takes
   * wakes the next itself.
   */
  wake(): void {
    const resolve = this.waiters.shift();
    if (resolve) resolve();
    else this.pending = true;
  }

  /**
   * Wakes in `ms` (a retry or a delivery that falls due then). Every time asked
   * for is kept: the timer runs to the earliest, and when it fires it is set
   * again for the next one, so a later retry is never dropped because an
   * earlier one was pending (it then waited for the idle poll).
   */
  wakeIn(ms: number): void {
    if (this.closed) return;
    const at = Date.now() + Math.max(0, ms);
    if (!this.dueTimes.includes(at)) {
      this.dueTimes.push(at);
      this.dueTimes.sort((a, b) => a - b);
      // A bound on memory: past it the latest times go; the poll covers them.
      if (this.dueTimes.length > MAX_DUE_TIMES) this.dueTimes.length = MAX_DUE_TIMES;
    }
    this.arm();
  }

  private arm(): void {
    const next = this.dueTimes[0];
    if (next === undefined || next >= this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = next;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Number.POSITIVE_INFINITY;
        const now = Date.now();
        while (this.dueTimes.length > 0 && this.dueTimes[0]! <= now) this.dueTimes.shift();
        this.wake();
        this.arm();
      },
      Math.max(0, next - Date.now()),
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
    this.dueTimes = [];
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    for (const resolve of this.waiters.splice(0)) resolve();
  }
}
