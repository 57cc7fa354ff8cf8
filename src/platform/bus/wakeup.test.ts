import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Wakeup } from './wakeup.ts';

describe('Wakeup', () => {
  // Its timers are unref'd (they must not keep a stopping process alive): hold the loop open here.
  let keepAlive: NodeJS.Timeout;
  before(() => {
    keepAlive = setInterval(() => {}, 1000);
  });
  after(() => clearInterval(keepAlive));

  it('keeps a later wake-up asked for while an earlier one was pending', async () => {
    const wakeup = new Wakeup();
    wakeup.wakeIn(20);
    wakeup.wakeIn(60); // a second retry, due after the first
    await wakeup.wait();
    // Before the fix the second time was dropped: this wait ran to its bound (the idle poll).
    const second = await Promise.race([
      wakeup.wait(10_000).then(() => 'woken'),
      sleep(3_000).then(() => 'still waiting'),
    ]);
    assert.equal(second, 'woken');
    wakeup.close();
  });

  it('wakes once for times asked twice, and never after close', async () => {
    const wakeup = new Wakeup();
    wakeup.wakeIn(10);
    wakeup.wakeIn(10);
    await wakeup.wait();
    wakeup.close();
    wakeup.wakeIn(5);
    await wakeup.wait(); // closed: returns at once
  });

  it('wakes one waiter per wake-up, and every waiter on close', async () => {
    const wakeup = new Wakeup();
    const woken: string[] = [];
    const a = wakeup.wait().then(() => woken.push('a'));
    const b = wakeup.wait().then(() => woken.push('b'));
    const c = wakeup.wait().then(() => woken.push('c'));
    wakeup.wake();
    await sleep(20);
    assert.deepEqual(woken, ['a'], 'one loop per notification, not all of them');
    wakeup.wake();
    await b;
    assert.deepEqual(woken, ['a', 'b']);
    wakeup.close();
    await Promise.all([a, c]);
    assert.deepEqual(woken, ['a', 'b', 'c']);
  });
});
