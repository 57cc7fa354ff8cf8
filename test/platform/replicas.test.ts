import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { MODULES } from '../../src/modules/index.ts';
import { startWorker } from '../../src/platform/worker.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import {
  type LocalPgBouncer,
  type LocalPostgres,
  migrateLocal,
  serverDir,
  startPgBouncer,
  startPrimary,
  startReplica,
} from '../support/local-servers.ts';
import { makeCouple } from '../support/love-notes.ts';
import { as, eventually, newUserId, testAuth } from '../support/test-auth.ts';

const binaries = ['/usr/lib/postgresql/15/bin/initdb', '/usr/sbin/pgbouncer'];
const missing = binaries.filter((file) => !existsSync(file));
if (missing.length > 0 && process.env.CI) throw new Error(`CI needs ${missing.join(', ')} (see .ci/run)`);
const skip = missing.length > 0 ? `needs ${missing.join(', ')}` : false;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The read/write split on a real topology the test starts itself: a
 * PostgreSQL primary, one streaming replica (pg_basebackup -R) and PgBouncer
 * in transaction pooling. The app's pool goes through PgBouncer, LISTEN and
 * the job runner use DATABASE_DIRECT_URL, the hot reads DATABASE_REPLICA_URLS.
 * Pausing WAL replay on the replica makes "which server answered" visible in
 * the API's answers.
 */
describe('read replicas behind PgBouncer (transaction pooling)', { skip }, () => {
  let root: { dir: string; remove(): Promise<void> };
  let primary: LocalPostgres;
  let replica: LocalPostgres | undefined;
  let bouncer: LocalPgBouncer | undefined;
  let t: TestApp | undefined;
  let env: Record<string, string>;
  let stopWorkers = async () => {};

  before(async () => {
    root = await serverDir('o2o-replicas-');
    primary = await startPrimary(root.dir);
    await primary.query('create extension pg_stat_statements');
    await migrateLocal(primary.url());
    replica = await startReplica(root.dir, primary);
    bouncer = await startPgBouncer(root.dir, primary);
    env = {
      DATABASE_URL: bouncer.url(),
      DATABASE_DIRECT_URL: primary.url(),
      DATABASE_REPLICA_URLS: replica.url(),
      DATABASE_REPLICA_STICKY_SECONDS: '1',
      // The PostgreSQL bus: its deliveries run through PgBouncer, its LISTEN on the direct URL.
      NATS_URL: '',
      JOBS_POLL_INTERVAL_MS: '100',
    };
    t = await createTestApp(
      // Answers must come from the database, not from the gateway's cache.
      { ...env, RESPONSE_CACHE_ENABLED: 'false' },
      { routes: testAuth, database: { name: 'postgres', url: bouncer.url(), drop: async () => {} } },
    );
    const stops: Array<() => Promise<void>> = [];
    for (const name of ['notifications', 'love-notes']) {
      stops.push(await MODULES.find((m) => m.name === name)!.worker!(t.platform));
    }
    const stopWorker = await startWorker(t.platform);
    stopWorkers = async () => {
      await stopWorker();
      for (const stop of stops) await stop();
    };
  });

  after(async () => {
    await stopWorkers();
    await t?.close();
    await bouncer?.stop();
    await replica?.stop();
    await primary?.stop();
    await root?.remove();
  });

  const app = () => t!.app;
  const call = async (userId: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) => {
    const res = await app().inject({ method, url, headers: as(userId), ...(payload ? { payload } : {}) });
    assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json().data;
  };
  const displayName = async (userId: string) => (await call(userId, 'GET', '/v1/users/me')).displayName;
  const box = async (userId: string, name: 'inbox' | 'sent') =>
    ((await call(userId, 'GET', `/v1/love-notes?box=${name}`)) as Array<{ id: string }>).map((n) => n.id);
  const caughtUp = () =>
    eventually(async () => {
      const [current] = await primary.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn');
      const [row] = await replica!.query<{ behind: boolean }>(
        'select pg_last_wal_replay_lsn() < $1::pg_lsn as behind',
        [current!.lsn],
      );
      return row?.behind === false ? true : undefined;
    }, 20_000);

  it('sends reads to the replica, writes to the primary, and a writer reads its own writes', async () => {
    const { a, b } = await makeCouple(t!, { names: ['Before', 'Sam'] });
    await caughtUp();
    await sleep(1_200); // past everyone's stickiness window
    await replica!.query('select pg_wal_replay_pause()');
    try {
      await call(a, 'PATCH', '/v1/users/me', { displayName: 'After' });
      // The writer, at once: from the primary (the paused replica still says "Before").
      assert.equal(await displayName(a), 'After');
      const note = await call(a, 'POST', '/v1/love-notes', { body: 'through the bouncer' });
      assert.ok((await box(a, 'sent')).includes(note.id), 'the sender sees the note it just sent');
      // Someone who did not write reads the replica, which has not replayed the note yet.
      assert.ok(!(await box(b, 'inbox')).includes(note.id), 'the partner reads the (paused) replica');
      await sleep(1_200);
      // The window is over: the writer's reads go back to the replica, still paused.
      assert.equal(await displayName(a), 'Before');

      await replica!.query('select pg_wal_replay_resume()');
      await eventually(async () => ((await box(b, 'inbox')).includes(note.id) ? true : undefined), 20_000);
      assert.equal(await displayName(a), 'After');
    } finally {
      await replica!.query('select pg_wal_replay_resume()').catch(() => {});
    }

    // The servers' own statistics agree: the inbox query ran on the replica.
    const onReplica = await replica!.query<{ calls: number }>(
      `select coalesce(sum(calls), 0)::int as calls from pg_stat_statements
       where query like '%from "love_notes_notes"%' and query like '%"recipient_id" = $%'`,
    );
    assert.ok(onReplica[0]!.calls > 0, 'inbox queries ran on the replica');
    const metrics = await app().inject({ url: '/metrics' });
    assert.match(metrics.body, /db_reader_connections_total\{target="replica"\} [1-9]/);
    assert.match(metrics.body, /db_reader_connections_total\{target="primary"\} [1-9]/);
  });

  it('answers response-cached routes from the primary while the cache is on, so a miss never stores a lagging answer, and from the replica while it is off', async () => {
    // A second instance on the same servers, with the response cache on (its own entries).
    const cached = await createTestApp(
      { ...env, RESPONSE_CACHE_ENABLED: 'true', GATEWAY_REDIS_PREFIX: `o2o:test:${randomUUID()}:` },
      { routes: testAuth, database: t!.database },
    );
    const on = (
      userId: string,
      method: 'GET' | 'POST',
      url: string,
      payload?: object,
      role: 'user' | 'editor' = 'user',
    ) => cached.app.inject({ method, url, headers: as(userId, role), ...(payload ? { payload } : {}) });
    const inbox = async (userId: string) => {
      const res = await on(userId, 'GET', '/v1/love-notes?box=inbox');
      assert.equal(res.statusCode, 200, res.body);
      return {
        cache: res.headers['x-cache'],
        ids: (res.json().data as Array<{ id: string }>).map((n) => n.id),
      };
    };
    const firstSlug = async (app: TestApp['app']) => {
      const res = await app.inject({ url: '/v1/content?limit=1' });
      assert.equal(res.statusCode, 200, res.body);
      return (res.json().data as Array<{ slug: string }>)[0]?.slug;
    };
    try {
      const { a, b } = await makeCouple(t!, { names: ['Before', 'Sam'] });
      const editor = newUserId();
      const item = await on(
        editor,
        'POST',
        '/v1/admin/content',
        {
          type: 'article',
          slug: `replica-${randomUUID()}`,
          title: 'Fresh off the primary',
          excerpt: 'Published while the replica is paused.',
          body: 'A paragraph.',
          tags: ['testing'],
          visibility: 'public',
        },
        'editor',
      );
      assert.equal(item.statusCode, 201, item.body);
      // The partner's inbox is cached (empty) before anything is sent.
      await inbox(b);
      assert.deepEqual(await inbox(b), { cache: 'HIT', ids: [] });
      await caughtUp();
      await sleep(1_200); // past everyone's stickiness window
      await replica!.query('select pg_wal_replay_pause()');
      try {
        // The send clears the partner's entry; the partner's miss, not marked sticky, reads the primary.
        const note = await on(a, 'POST', '/v1/love-notes', { body: 'cached from the primary' });
        assert.equal(note.statusCode, 201, note.body);
        const missed = await inbox(b);
        assert.deepEqual(missed, { cache: 'MISS', ids: [note.json().data.id] });
        assert.deepEqual(await inbox(b), { cache: 'HIT', ids: [note.json().data.id] });
        // The uncached instance reads the paused replica, which has not replayed the note.
        assert.deepEqual(await box(b, 'inbox'), []);

        // The calendar month: the same split (the event is a's write; b is not sticky).
        const event = await on(a, 'POST', '/v1/calendar/events', {
          title: 'Dinner',
          start: '2027-05-10T19:00',
          timeZone: 'Europe/Berlin',
        });
        assert.equal(event.statusCode, 201, event.body);
        const may = '/v1/calendar?year=2027&month=5';
        const titles = (month: { occurrences: Array<{ title: string }> }) =>
          month.occurrences.map((o) => o.title);
        const cachedMonth = await on(b, 'GET', may);
        assert.equal(cachedMonth.statusCode, 200, cachedMonth.body);
        assert.deepEqual(titles(cachedMonth.json().data), ['Dinner'], 'the cached month reads the primary');
        assert.deepEqual(titles(await call(b, 'GET', may)), [], 'the uncached month reads the replica');

        // Own profile: written through the uncached instance; after the window a's reads are not sticky.
        await call(a, 'PATCH', '/v1/users/me', { displayName: 'After' });
        await sleep(1_200);
        assert.equal(await displayName(a), 'Before', 'the uncached instance reads the replica');
        const me = await on(a, 'GET', '/v1/users/me');
        assert.equal(me.json().data.displayName, 'After', 'the cached instance reads the primary');

        // The public content list: an anonymous reader is never sticky.
        const published = await on(
          editor,
          'POST',
          `/v1/admin/content/${item.json().data.id}/publish`,
          undefined,
          'editor',
        );
        assert.equal(published.statusCode, 200, published.body);
        assert.equal(await firstSlug(cached.app), item.json().data.slug, 'the cached list reads the primary');
        assert.notEqual(await firstSlug(app()), item.json().data.slug, 'the uncached list reads the replica');
      } finally {
        await replica!.query('select pg_wal_replay_resume()');
      }
    } finally {
      await cached.close();
    }
  });

  it('runs the bus and the job runner through PgBouncer, with LISTEN on a direct connection', async () => {
    const { a, b } = await makeCouple(t!);
    const note = await call(a, 'POST', '/v1/love-notes', { body: 'wake up' });
    // love-note.sent → love-notes delivers → love-note.delivered → notifications (bus consumers and jobs).
    await eventually(async () => {
      const list = (await call(b, 'GET', '/v1/notifications')) as Array<{ data?: { noteId?: string } }>;
      return list.length > 0 ? list : undefined;
    }, 30_000);
    await eventually(async () => ((await box(b, 'inbox')).includes(note.id) ? true : undefined), 20_000);

    const listeners = await primary.query<{ application_name: string }>(
      `select application_name from pg_stat_activity where query ilike 'listen%'`,
    );
    assert.ok(
      listeners.some((row) => row.application_name === 'one2one-love-bus-listener'),
      `the bus LISTENs on the primary directly: ${JSON.stringify(listeners)}`,
    );
    const clients = await bouncer!.admin<{ application_name: string }>('SHOW CLIENTS');
    assert.ok(
      clients.every((row) => !/listener|jobs/.test(row.application_name)),
      `no LISTEN or job-runner connection goes through PgBouncer: ${clients.map((c) => c.application_name)}`,
    );
    assert.ok(
      clients.some((row) => row.application_name === 'one2one-love'),
      'the app pool does',
    );
    const stats = await bouncer!.admin<{ database: string; total_xact_count: string }>('SHOW STATS');
    const through = Number(stats.find((row) => row.database === 'postgres')?.total_xact_count ?? 0);
    assert.ok(through > 50, `the app's transactions went through PgBouncer (${through})`);
  });

  it('reports the replica in /ready', async () => {
    const res = await app().inject({ url: '/ready' });
    assert.equal(res.statusCode, 200, res.body);
    assert.match(res.json().data.checks['database:replica-1'], /^ok: replica/);
  });

  it('reads from the primary while the replica is down, and stays ready', async () => {
    const { a, b } = await makeCouple(t!);
    const note = await call(a, 'POST', '/v1/love-notes', { body: 'replica gone' });
    await replica!.stop();
    await sleep(1_200);
    assert.ok((await box(b, 'inbox')).includes(note.id), 'the inbox falls back to the primary');
    const res = await app().inject({ url: '/ready' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().data.checks['database:replica-1'], 'unavailable (not required)');
  });
});
