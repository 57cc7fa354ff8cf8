import assert from 'node:assert/strict';

/**
 * How long an invalidation may take to reach another instance: at once with Redis (shared tag
 * versions), within moments without it (PostgreSQL NOTIFY to each process's own cache).
 */
export const settleMs = (mode: 'memory' | 'redis') => (mode === 'memory' ? 3_000 : 0);

const pause = () => new Promise((resolve) => setTimeout(resolve, 25));

/**
 * Reads twice and asserts the second read is a cache HIT. An earlier write's invalidation may
 * still be on its way (NOTIFY): reads again until the entry is cached once it landed.
 */
export async function warmUntilHit(
  read: () => Promise<{ cache: unknown }>,
  settle: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + settle;
  await read();
  let cache = (await read()).cache;
  while (cache !== 'HIT' && Date.now() < deadline) {
    await pause();
    cache = (await read()).cache;
  }
  assert.equal(cache, 'HIT', what);
}

/** The first answer that passes `check` within `settle` ms, else a failure naming `what` and the answer. */
export async function freshWithin<T>(
  read: () => Promise<T>,
  check: (answer: T) => boolean,
  settle: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + settle;
  for (;;) {
    const answer = await read();
    if (check(answer)) return answer;
    if (Date.now() >= deadline) assert.fail(`${what}: ${JSON.stringify(answer)}`);
    await pause();
  }
}
