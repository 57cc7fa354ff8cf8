import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { InjectOptions } from 'fastify';
import { sql } from 'kysely';
import { makeCouple, type Pair } from '../support/love-notes.ts';
import { as, eventually } from '../support/test-auth.ts';
import { migrate, type Running, startApi } from './harness.ts';
import { needsBinary, type OwnPostgres, startPostgres } from './servers.ts';

const NOTES = 30;
const SENDERS = 2;
/** A request that gets no answer in this long is "hung": the outage must be answered, not waited out. */
const HUNG_MS = 30_000;

/**
 * PostgreSQL stopped (pg_ctl stop -m fast: every connection is cut) and started
 * again in the middle of a stream of keyed love-note sends, API and worker in
 * one process as `start` runs them. Clients retry a 5xx with the same
 * Idempotency-Key, as the API tells them to.
 */
describe('fault: PostgreSQL restarted under load', needsBinary('postgres'), () => {
  let pg: OwnPostgres;
  let api: Running;
  let pair: Pair;
  /** Set when the suite ends: senders of a failed test stop instead of calling a closed app. */
  let stopped = false;

  before(async () => {
    pg = await startPostgres();
    await migrate(pg.url);
    api = await startApi(pg.url, { NATS_URL: '', REDIS_URL: '' });
    pair = await makeCouple(api.asTestApp);
  });
  after(async () => {
    stopped = true;
    await api?.close();
    await pg?.destroy();
  });

  const inject = async (options: InjectOptions) => {
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in ${HUNG_MS} ms: hung`)), HUNG_MS);
    });
    try {
      return await Promise.race([api.app.inject(options), hung]);
    } finally {
      clearTimeout(timer);
    }
  };
  const ready = async () => (await inject({ url: '/ready' })).statusCode;

  it('acknowledges every note exactly once, answers 503 while down, and the worker catches up', async () => {
    const acked = new Map<string, string>(); // Idempotency-Key → note id
    const failures: Array<{ status: number; body: string; retryAfter: unknown }> = [];
    let next = 0;
    // Started by the sender whose answer makes a third: the other sender keeps
    // going, so requests are in flight when the connections are cut, however
    // slow or fast the machine is.
    let stopping: Promise<void> | undefined;

    async function send(index: number): Promise<void> {
      const key = randomUUID();
      while (!stopped) {
        const res = await inject({
          method: 'POST',
          url: '/v1/love-notes',
          headers: { ...as(pair.a), 'idempotency-key': key },
          payload: { body: `note ${index}` },
        });
        if (res.statusCode === 201) {
          acked.set(key, res.json().data.id);
          if (!stopping && acked.size >= NOTES / 3) stopping = pg.stop();
          return;
        }
        // 409: the same key is still running in another attempt; anything else must be an outage answer.
        if (res.statusCode !== 409) {
          failures.push({ status: res.statusCode, body: res.body, retryAfter: res.headers['retry-after'] });
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    const sender = async () => {
      while (next < NOTES && !stopped) {
        const index = next++;
        await send(index);
      }
    };

    assert.equal(await ready(), 200);
    const { paths } = (await inject({ url: '/v1/openapi.json' })).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    const senders = Promise.all(Array.from({ length: SENDERS }, sender));
    await eventually(async () => (stopping ? true : undefined), 60_000);
    await stopping;
    // While it is down: a send is answered 503 in the envelope, and /ready says not ready.
    const during = await inject({
      method: 'POST',
      url: '/v1/love-notes',
      headers: { ...as(pair.a), 'idempotency-key': randomUUID() },
      payload: { body: 'during the outage' },
    });
    assert.equal(during.statusCode, 503, during.body);
    assert.equal(during.json().errors[0].code, 'SERVICE_UNAVAILABLE');
    assert.ok(during.headers['retry-after'], 'tells the client when to retry');
    const notReady = await inject({ url: '/ready' });
    assert.equal(notReady.statusCode, 503);
    assert.match(notReady.json().errors[0].message, /database/);
    // No read answers 500 or hangs either: every GET without path parameters (streams aside).
    const reads = Object.keys(paths).filter(
      (url) => paths[url]!.get && !url.includes('{') && !/realtime|\/sse|\/live|stream|export/.test(url),
    );
    for (const url of reads) {
      const res = await inject({ url, headers: as(pair.a, 'admin') });
      assert.ok(res.statusCode < 500 || res.statusCode === 503, `${url}: ${res.statusCode} ${res.body}`);
    }
    const ackedDuringOutage = acked.size;
    assert.ok(ackedDuringOutage < NOTES, 'the outage came too late to prove anything');
    // Let the senders meet the outage before it ends.
    await eventually(async () => (failures.length >= SENDERS ? true : undefined), 30_000);

    await pg.start();
    await eventually(async () => ((await ready()) === 200 ? true : undefined), 30_000);
    await senders;

    // Every answer in the outage was a 503 in the envelope with Retry-After, never a 500.
    assert.ok(failures.length > 0);
    for (const failure of failures) {
      assert.equal(failure.status, 503, failure.body);
      assert.equal(JSON.parse(failure.body).errors[0].code, 'SERVICE_UNAVAILABLE', failure.body);
      assert.ok(failure.retryAfter, failure.body);
    }

    // Nothing accepted lost, nothing doubled: one note per acknowledged key, and no other.
    assert.equal(acked.size, NOTES);
    const ids = [...acked.values()];
    assert.equal(new Set(ids).size, NOTES);
    const db = api.platform.database.db;
    const notes = await sql<{ id: string; body: string }>`
      select id, body from love_notes_notes where sender_id = ${pair.a}`.execute(db);
    assert.deepEqual(notes.rows.map((r) => r.id).sort(), [...ids].sort());
    assert.equal(new Set(notes.rows.map((r) => r.body)).size, NOTES);

    // The job runner came back too: a note scheduled after recovery is delivered when due.
    // Due in 5 s: 1 s was in the past by the time a loaded CI machine ran the handler.
    const scheduled = await inject({
      method: 'POST',
      url: '/v1/love-notes',
      headers: { ...as(pair.a), 'idempotency-key': randomUUID() },
      payload: { body: 'scheduled after the outage', scheduledAt: new Date(Date.now() + 5000).toISOString() },
    });
    assert.equal(scheduled.statusCode, 202, scheduled.body);
    const delivered = [...ids, scheduled.json().data.id as string];

    // The worker processed every accepted note after recovery: one inbox item each for the partner.
    await eventually(async () => {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from notifications_items
        where user_id = ${pair.b} and kind = 'love-note.received'`.execute(db);
      return rows[0]!.n >= delivered.length ? true : undefined;
    }, 60_000);
    const { rows } = await sql<{ note: string; n: number }>`
      select data->>'noteId' as note, count(*)::int as n from notifications_items
      where user_id = ${pair.b} and kind = 'love-note.received' group by 1`.execute(db);
    assert.deepEqual(rows.map((r) => r.note).sort(), [...delivered].sort());
    assert.ok(
      rows.every((r) => r.n === 1),
      'exactly one inbox item per note',
    );
    const dead = await sql<{ n: number }>`select count(*)::int as n from bus_dead_letters`.execute(db);
    assert.equal(dead.rows[0]!.n, 0, 'no event was dead-lettered by the outage');
  });
});
