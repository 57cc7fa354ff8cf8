/**
 * A sleep that ends early when woken: loops wait on it between polls so a
 * notification starts work at once and the poll only covers lost wake-ups.
 */
export class Wakeup {
  private waiters: Array<() => void> = [];
  private pending = false;

  wake(): void {
    const waiters = this.waiters.splice(0);
    if (waiters.length === 0) this.pending = true;
    for (const resolve of waiters) resolve();
  }

  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.waiters = self.waiters.filter((w) => w !== done);
        resolve();
      }
      this.waiters.push(done);
    });
  }
}
