/**
 * Notifications throughput: `npx tsx bench/notifications.ts` with DATABASE_URL
 * pointing at a real PostgreSQL. One worker process (this one) with the
 * default file transports: events in (love-note.delivered, published in
 * transactions of 10) → mobile pushes written to DATA_DIR/outbox/push.
 * Prints deliveries/s and event → push latency p50/p99.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { parseConfig } from '../src/config.ts';
import { notificationsModule } from '../src/modules/notifications/index.ts';
import { upsertDevice } from '../src/modules/notifications/repo.ts';
import { publish } from '../src/platform/bus/publish.ts';
import { newId } from '../src/platform/ids.ts';
import { createPlatform } from '../src/platform/platform.ts';
import { startWorker } from '../src/platform/worker.ts';
import { createTestDatabase } from '../test/support/database.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 5000);
const PER_TRANSACTION = 10;

async function main() {
  const database = await createTestDatabase();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'o2o-bench-notify-'));
  const config = parseConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    ENCRYPTION_KEYS: 'bench:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
    JWT_SIGNING_KEYS: 'unused',
    JOBS_CONCURRENCY: process.env.JOBS_CONCURRENCY ?? '8',
    JOBS_POLL_INTERVAL_MS: '200',
  });
  const platform = await createPlatform(config, database.url);
  const db = platform.database.db;
  try {
    const users = Array.from({ length: EVENTS }, () => newId());
    for (const userId of users)
      await upsertDevice(db, { userId }, { platform: 'android', token: `t-${userId}` });
    const stopModule = await notificationsModule().worker!(platform);
    const stopWorker = await startWorker(platform);

    const started = Date.now();
    for (let i = 0; i < EVENTS; i += PER_TRANSACTION) {
      await db.transaction().execute(async (trx) => {
        for (const userId of users.slice(i, i + PER_TRANSACTION)) {
          await publish(trx, 'love-note.delivered', {
            noteId: newId(),
            senderId: newId(),
            recipientId: userId,
            senderName: 'Sam',
          });
        }
      });
    }
    const published = Date.now();
    for (;;) {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from notifications_deliveries where channel = 'mobile_push' and status = 'sent'`.execute(
        db,
      );
      if (rows[0]!.n >= EVENTS) break;
      if (Date.now() - started > 600_000) throw new Error(`only ${rows[0]!.n} of ${EVENTS} sent`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const done = Date.now();
    const { rows } = await sql<{ p50: number; p99: number }>`
      select percentile_cont(0.5) within group (order by ms) as p50, percentile_cont(0.99) within group (order by ms) as p99
      from (select extract(epoch from d.sent_at - e.occurred_at) * 1000 as ms
            from notifications_deliveries d
            join notifications_items n on n.user_id = d.user_id and n.id = d.notification_id
            join outbox_events e on e.id = n.event_id
            where d.channel = 'mobile_push') t`.execute(db);
    console.log(
      JSON.stringify({
        events: EVENTS,
        publishSeconds: (published - started) / 1000,
        totalSeconds: (done - started) / 1000,
        deliveriesPerSecond: Math.round(EVENTS / ((done - started) / 1000)),
        eventToPushMs: { p50: Math.round(rows[0]!.p50), p99: Math.round(rows[0]!.p99) },
      }),
    );
    await stopWorker();
    await stopModule();
  } finally {
    await platform.close();
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
