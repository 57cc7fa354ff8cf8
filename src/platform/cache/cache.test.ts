import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { needs, serverUrl } from '../../../test/support/servers.ts';
import type { Cache } from './cache.ts';
import { createMemoryCache } from './memory-cache.ts';
import { createRedisCache } from './redis-cache.ts';

function contract(make: () => Cache) {
  const cache = make();
  after(() => cache.close());

  it('stores, reads and deletes JSON values', async () => {
    await cache.set('a', { n: 1, s: 'x' }, 60);
    assert.deepEqual(await cache.get('a'), { n: 1, s: 'x' });
    await cache.delete('a');
    assert.equal(await cache.get('a'), undefined);
  });

  it('expires values after their TTL', async () => {
    await cache.set('short', 1, 1);
    assert.equal(await cache.get('short'), 1);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal(await cache.get('short'), undefined);
  });

  it('increments atomically under concurrency', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => cache.increment('counter', 1, 60)));
    assert.deepEqual(
      [...results].sort((x, y) => x - y),
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
  });

  it('answers ping', async () => {
    await cache.ping();
  });
}

describe('memory cache', () => contract(() => createMemoryCache()));

describe('redis cache', needs('REDIS_URL'), () => {
  contract(() =>
    createRedisCache(
      { kind: 'single', url: serverUrl('REDIS_URL')! },
      `test:${randomBytes(4).toString('hex')}:`,
    ),
  );

  it('rejects ping when Redis is unreachable', async () => {
    const down = createRedisCache({ kind: 'single', url: 'redis://127.0.0.1:1' }, 'x:');
    await assert.rejects(down.ping());
    await down.close();
  });
});
