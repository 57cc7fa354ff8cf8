import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import { parseConfig } from '../../src/config.ts';
import type { EventType } from '../../src/platform/bus/events.ts';
import { publish } from '../../src/platform/bus/publish.ts';
import { createPlatform, type Platform } from '../../src/platform/platform.ts';
import { waitFor } from '../support/bus.ts';
import { useTestDatabase } from '../support/database.ts';

/** Kept by both versions, dropped by the new one, added by the new one. */
const KEPT = 'platform.test' as EventType;
const DROPPED = 'platform.test-dropped' as EventType;
const ADDED = 'platform.test-added' as EventType;
const OLD_TYPES = [KEPT, DROPPED];
const NEW_TYPES = [KEPT, ADDED];

interface Handled {
  version: 'old' | 'new';
  type: string;
  value: number;
}

const testDb = useTestDatabase();

/**
 * A rolling deploy with the PostgreSQL transport: processes of the old and the
 * new version run side by side in one consumer group, subscribed to different
 * event types, and either may start (or restart) last.
 */
describe('bus (postgres) in a rolling deploy', () => {
  const running: Platform[] = [];
  const stops: Array<() => Promise<void>> = [];
  after(async () => {
    for (const stop of stops.reverse()) await stop();
    for (const platform of running) await platform.close();
  });

  async function startVersion(version: 'old' | 'new', group: string, handled: Handled[]): Promise<void> {
    const platform = await createPlatform(
      parseConfig({
        NODE_ENV: 'test',
        NATS_URL: '',
        ENCRYPTION_KEYS: 'k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
        BUS_IDLE_POLL_MS: '100',
      }),
      testDb.url,
    );
    running.push(platform);
    platform.bus.consume(group, version === 'old' ? OLD_TYPES : NEW_TYPES, async (event) => {
      handled.push({ version, type: event.type, value: (event.data as { value: number }).value });
    });
    stops.push(await platform.bus.start());
  }

  for (const order of [
    ['old', 'new'],
    ['new', 'old'],
  ] as const) {
    it(`delivers every type some running version subscribes to, ${order[0]} version started first`, async () => {
      const group = `rolling-${order[0]}-first`;
      const handled: Handled[] = [];
      for (const version of order) await startVersion(version, group, handled);
      const { db } = testDb.database;
      const types = [KEPT, DROPPED, ADDED];
      await db.transaction().execute(async (trx) => {
        for (const [value, type] of types.entries()) await publish(trx, type, { value });
      });
      await waitFor('every event to be handled', async () => handled.length >= types.length, 10_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const byValue = (value: number) => handled.filter((h) => h.value === value);
      // Each exactly once, and a type only by a version that handles it.
      assert.equal(byValue(0).length, 1);
      assert.deepEqual(byValue(1), [{ version: 'old', type: DROPPED, value: 1 }]);
      assert.deepEqual(byValue(2), [{ version: 'new', type: ADDED, value: 2 }]);
      const { rows } = await sql<{ event_type: string }>`
        select event_type from bus_subscriptions where group_name = ${group} order by 1`.execute(db);
      assert.deepEqual(
        rows.map((r) => r.event_type),
        [...types].sort(),
      );
    });
  }
});
