import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { sql } from 'kysely';
import { generateKeySpec } from '../../src/platform/security/field-encryption.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { waitFor } from '../support/bus.ts';
import { makeCouple } from '../support/love-notes.ts';
import { runCli, type Started } from '../support/process.ts';
import { as, testAuth } from '../support/test-auth.ts';

/**
 * Scheduled notes are delivered exactly once by real worker processes: two
 * run at once, and one is killed with SIGKILL while deliveries are under way;
 * a third takes over. Every note ends delivered, with one delivery event.
 */
const KEYS = generateKeySpec('procs');
const NOTES = 120;

let t: TestApp;
const workers: Started[] = [];
before(async () => {
  t = await createTestApp({ ENCRYPTION_KEYS: KEYS }, { routes: testAuth });
});
after(async () => {
  for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
  await t.close();
});

const startWorker = () => {
  const worker = runCli('worker', {
    DATABASE_URL: t.database.url,
    ENCRYPTION_KEYS: KEYS,
    LOVE_NOTES_SWEEP_MS: '1000',
    JOBS_CONCURRENCY: '4',
    LOG_LEVEL: 'warn',
  });
  workers.push(worker);
  return worker;
};

it('two workers, one killed mid-run: every scheduled note delivered exactly once', async () => {
  const db = t.platform.database.db;
  const due = new Date(Date.now() + 300_000).toISOString();
  const ids: string[] = [];
  // Four couples, so no sender reaches the limit of 100 pending notes.
  const couples = await Promise.all([0, 1, 2, 3].map(() => makeCouple(t)));
  for (let i = 0; i < NOTES; i += 1) {
    const { a } = couples[i % couples.length]!;
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/love-notes',
      payload: { body: `at the same moment #${i}`, scheduledAt: due },
      headers: as(a),
    });
    assert.equal(res.statusCode, 202, res.body);
    ids.push(res.json().data.id);
  }
  const jobs = await sql<{ n: number }>`
    select count(*)::int as n from graphile_worker._private_jobs where key like 'love-note:%'`.execute(db);
  assert.equal(jobs.rows[0]?.n, NOTES);
  // All due at the same moment, now (creating them takes a while on a busy machine).
  await sql`update love_notes_notes set scheduled_at = now() where status = 'scheduled'`.execute(db);
  await sql`update graphile_worker._private_jobs set run_at = now() where key like 'love-note:%'`.execute(db);

  const delivered = async () =>
    (
      await sql<{
        n: number;
      }>`select count(*)::int as n from love_notes_notes where status = 'delivered'`.execute(db)
    ).rows[0]?.n ?? 0;
  const first = startWorker();
  startWorker();
  await waitFor('the first deliveries', async () => (await delivered()) > 0, 60_000);
  first.child.kill('SIGKILL');
  await first.exited;
  startWorker();
  await waitFor('every note delivered', async () => (await delivered()) === NOTES, 60_000);

  const events = await sql<{ note: string; n: number }>`
    select data->>'noteId' as note, count(*)::int as n from outbox_events
    where type = 'love-note.delivered' group by 1`.execute(db);
  assert.equal(events.rows.length, NOTES);
  assert.ok(
    events.rows.every((row) => row.n === 1),
    'a note was delivered twice',
  );
  const lag = await sql<{ max: number }>`
    select max(extract(epoch from delivered_at - scheduled_at))::float8 as max from love_notes_notes`.execute(
    db,
  );
  assert.ok(Number(lag.rows[0]?.max) >= 0, 'no note went before its time');
});

it('after an unlink, a note due 2 s later and a recurring series are never delivered', async () => {
  const db = t.platform.database.db;
  if (!workers.some((worker) => worker.child.exitCode === null)) startWorker();
  const send = async (userId: string, payload: object) => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/love-notes', payload, headers: as(userId) });
    assert.equal(res.statusCode, 202, res.body);
    return res.json().data.id as string;
  };
  const statusOf = async (id: string) =>
    (await db.selectFrom('love_notes_notes').select('status').where('id', '=', id).executeTakeFirst())
      ?.status;
  const { a, b, coupleId } = await makeCouple(t);
  const control = await makeCouple(t);

  // Scheduled well ahead, then moved to fall due 2 s after the unlink: on a busy
  // machine the sends and the unlink alone can take longer than a short lead.
  const later = new Date(Date.now() + 300_000).toISOString();
  const once = await send(a, { body: 'see you at eight', scheduledAt: later });
  const series = await send(b, {
    body: 'good morning',
    scheduledAt: later,
    recurrence: 'FREQ=DAILY;COUNT=5',
  });
  // Another couple's note due at the same moment shows the workers were delivering then.
  const check = await send(control.a, { body: 'still together', scheduledAt: later });
  const unlink = await t.app.inject({ method: 'DELETE', url: '/v1/couples/me', headers: as(a) });
  assert.equal(unlink.statusCode, 200, unlink.body);
  const due = new Date(Date.parse(unlink.json().data.closedAt) + 2_000);
  const ids = [once, series, check];
  await sql`update love_notes_notes set scheduled_at = ${due} where id in (${sql.join(ids)}) and status = 'scheduled'`.execute(
    db,
  );
  await sql`update graphile_worker._private_jobs set run_at = ${due}
    where key in (${sql.join(ids.map((id) => `love-note:${id}`))})`.execute(db);

  await waitFor('the other couple’s note', async () => (await statusOf(check)) === 'delivered', 60_000);
  // Past the due time by more than two sweeps of the backstop (LOVE_NOTES_SWEEP_MS=1000).
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, due.getTime() + 3_000 - Date.now())));

  assert.equal(await statusOf(once), 'cancelled');
  assert.equal(await statusOf(series), 'cancelled');
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from outbox_events
    where couple_id = ${coupleId} and type in ('love-note.sent', 'love-note.delivered')`.execute(db);
  assert.equal(rows[0]?.n, 0, 'nothing was delivered after the unlink');
  const occurrences = await db
    .selectFrom('love_notes_notes')
    .select('id')
    .where('series_id', '=', series)
    .execute();
  assert.deepEqual(occurrences, []);
  const jobs = await sql<{ n: number }>`
    select count(*)::int as n from graphile_worker._private_jobs
    where key in (${`love-note:${once}`}, ${`love-note:${series}`})`.execute(db);
  assert.equal(jobs.rows[0]?.n, 0, 'no delivery job left to fire later');
  const inbox = await t.app.inject({ url: '/v1/love-notes?box=inbox', headers: as(b) });
  assert.deepEqual(inbox.json().data, []);
});
