import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../../config.ts';

describe('gateway configuration', () => {
  it('defaults to the design’s limits, with rate limits off under test only', () => {
    const { gateway } = parseConfig({});
    assert.equal(gateway.rateLimitEnabled, true);
    assert.equal(gateway.globalPerSecond, 10_000);
    assert.equal(gateway.burstPerSecond, 500);
    assert.equal(gateway.perIpPerMinute, 200);
    assert.equal(gateway.perUserPerMinute, 100);
    assert.equal(gateway.redisPrefix, 'o2o:gw:');
    const test = parseConfig({ NODE_ENV: 'test' }).gateway;
    assert.equal(test.rateLimitEnabled, false);
    assert.notEqual(test.redisPrefix, parseConfig({ NODE_ENV: 'test' }).gateway.redisPrefix);
  });

  it('reads switches and numbers, and names bad ones', () => {
    const { gateway } = parseConfig({ RATE_LIMIT_ENABLED: 'off', MAX_CONCURRENT_REQUESTS: '5' });
    assert.equal(gateway.rateLimitEnabled, false);
    assert.equal(gateway.maxConcurrentRequests, 5);
    assert.throws(
      () => parseConfig({ RATE_LIMIT_ENABLED: 'maybe', RATE_LIMIT_PER_IP_PER_MINUTE: '-1' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.some((p) => p.startsWith('RATE_LIMIT_ENABLED')) &&
        error.problems.some((p) => p.startsWith('RATE_LIMIT_PER_IP_PER_MINUTE')),
    );
  });
});
