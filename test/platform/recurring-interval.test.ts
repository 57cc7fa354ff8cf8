import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { parseConfig } from '../../src/config.ts';
import { createPlatform, type Platform } from '../../src/platform/platform.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

/**
 * `jobs.recurring({ everyMs })`: every worker ticks, but each period runs
 * once across all of them, and a worker that stops holds nothing back.
 */
const PERIOD_MS = 400;
let database: TestDatabase;
const platforms: Platform[] = [];
before(async () => {
  database = await createTestDatabase();
});
after(async () => {
  for (const platform of platforms) await platform.close();
  await database.drop();
});

async function worker(runs: number[]): Promise<() => Promise<void>> {
  const config = parseConfig({
    NODE_ENV: 'test',
    NATS_URL: '',
    ENCRYPTION_KEYS: 'k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
  });
  const platform = await createPlatform(config, database.url);
  platforms.push(platform);
  platform.jobs.define('platform.test', async () => {
    runs.push(Date.now());
  });
  platform.jobs.recurring({ name: 'platform.test', everyMs: PERIOD_MS, payload: { value: 1 } });
  return platform.jobs.start();
}

it('three workers run an interval task once per period between them, and one left alone keeps it going', async () => {
  const runs: number[] = [];
  const stops = await Promise.all([worker(runs), worker(runs), worker(runs)]);
  const started = Date.now();
  await new Promise((resolve) => setTimeout(resolve, PERIOD_MS * 6));
  const elapsed = Date.now() - started;
  // Three workers ticking independently would run it about three times per period.
  assert.ok(runs.length >= 2, `ran ${runs.length} times`);
  assert.ok(runs.length <= Math.ceil(elapsed / PERIOD_MS) + 1, `ran ${runs.length} times in ${elapsed} ms`);
  const sorted = [...runs].sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i += 1) {
    // One claim per period: no two runs closer than the period (give or take the time a claim takes).
    assert.ok(
      sorted[i]! - sorted[i - 1]! >= PERIOD_MS / 2,
      `two runs ${sorted[i]! - sorted[i - 1]!} ms apart`,
    );
  }
  await stops[0]!();
  await stops[1]!();
  const before = runs.length;
  await new Promise((resolve) => setTimeout(resolve, PERIOD_MS * 4));
  assert.ok(runs.length > before, 'the remaining worker took over');
  await stops[2]!();
});
