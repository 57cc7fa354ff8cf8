import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { afterCommit } from '../../src/platform/bus/after-commit.ts';
import { outboxEvent, publish, withEvents } from '../../src/platform/bus/publish.ts';
import { newId } from '../../src/platform/ids.ts';
import { startWorker } from '../../src/platform/worker.ts';
import { createTestApp, type TestApp } from './app.ts';
import { deleteStream, testStreamName, waitFor } from './bus.ts';
import { as, newUserId, testAuth } from './test-auth.ts';

/**
 * The bus's contract, run once per transport. Every event carries a `value`;
 * `failures` says how many times the handler should throw for that value
 * before it succeeds, so each test picks its scenario by value.
 */
export function busContractSuite(transport: 'postgres' | 'nats', natsUrl: string | undefined) {
  describe(`event bus contract (${transport})`, () => {
    let t: TestApp;
    let stopWorker: () => Promise<void>;
    const stream = testStreamName();
    const failures = new Map<number, number>();
    const attempts = new Map<string, number>();
    /** Per event of contract-a: for each after-commit hook that ran, whether it saw the handler's write. */
    const hooks = new Map<string, boolean[]>();
    const KILLED_VALUE = 7;

    const effects = async (group: string, value: number) => {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from contract_effects where group_name = ${group} and value = ${value}`.execute(
        t.platform.database.db,
      );
      return rows[0]!.n;
    };
    const publishValue = (value: number) =>
      t.platform.database.db.transaction().execute((trx) => publish(trx, 'platform.test', { value }));
    const admin = (method: 'GET' | 'POST' | 'DELETE', url: string, role: 'admin' | 'user' = 'admin') =>
      t.app.inject({ method, url, headers: as(newUserId(), role) });

    before(async () => {
      t = await createTestApp(
        { NATS_URL: natsUrl ?? '', NATS_STREAM: stream, BUS_ACK_WAIT_MS: '500' },
        { routes: testAuth },
      );
      const { db } = t.platform.database;
      await sql`create table contract_effects (
        group_name text not null, event_id uuid not null, value int not null,
        primary key (group_name, event_id))`.execute(db);
      await sql`create table contract_changes (value int primary key)`.execute(db);
      for (const group of ['contract-a', 'contract-b']) {
        t.platform.bus.consume(
          group,
          ['platform.test'],
          async (event, trx) => {
            const key = `${group}:${event.id}`;
            const attempt = (attempts.get(key) ?? 0) + 1;
            attempts.set(key, attempt);
            await trx
              .insertInto('contract_effects')
              .values({ group_name: group, event_id: event.id, value: event.data.value })
              .execute();
            if (group === 'contract-a') {
              afterCommit(trx, async () => {
                // From another connection: the write is visible only once committed.
                const { rows } = await sql<{ n: number }>`
                  select count(*)::int as n from contract_effects
                  where group_name = ${group} and event_id = ${event.id}`.execute(t.platform.database.db);
                hooks.set(event.id, [...(hooks.get(event.id) ?? []), rows[0]!.n === 1]);
              });
            }
            // Thrown after the write, so a retry proves the write was rolled back.
            if (group === 'contract-a' && attempt <= (failures.get(event.data.value) ?? 0)) {
              throw new Error(`planned failure ${attempt} of value ${event.data.value}`);
            }
          },
          { maxAttempts: 3, baseDelayMs: 30, maxDelayMs: 60 },
        );
      }
      // Commit then kill -9 in another process, with no relay running anywhere yet.
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'test/support/fixtures/publish-and-die.ts', t.database.url, String(KILLED_VALUE)],
        { stdio: 'inherit' },
      );
      const signal = await new Promise((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
      assert.equal(signal, 'SIGKILL');
      stopWorker = await startWorker(t.platform);
    });

    after(async () => {
      await stopWorker?.();
      await t?.close();
      await deleteStream(natsUrl, stream);
    });

    it('delivers an event committed by a process killed before any relay', async () => {
      await waitFor(
        'the effect of the killed publisher',
        async () => (await effects('contract-a', KILLED_VALUE)) === 1,
      );
      await waitFor('group b too', async () => (await effects('contract-b', KILLED_VALUE)) === 1);
    });

    it('publishes nothing when the transaction rolls back', async () => {
      await assert.rejects(
        t.platform.database.db.transaction().execute(async (trx) => {
          await publish(trx, 'platform.test', { value: 11 });
          throw new Error('change failed');
        }),
        /change failed/,
      );
      await publishValue(12);
      await waitFor('the committed marker', async () => (await effects('contract-a', 12)) === 1);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(await effects('contract-a', 11), 0);
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from outbox_events where (data->>'value')::int = 11`.execute(
        t.platform.database.db,
      );
      assert.equal(rows[0]!.n, 0);
    });

    it('writes a one-statement change and its events together, or neither', async () => {
      const { db } = t.platform.database;
      const change = (value: number, eventValue: number) =>
        withEvents(db, [outboxEvent('platform.test', { value: eventValue })])
          .insertInto('contract_changes')
          .values({ value })
          .execute();
      await change(81, 81);
      // The same primary key again: the statement fails, so its event is not written either.
      await assert.rejects(change(81, 82), /duplicate key/);
      await waitFor(
        'both groups',
        async () => (await effects('contract-a', 81)) === 1 && (await effects('contract-b', 81)) === 1,
      );
      await publishValue(83);
      await waitFor('a later event', async () => (await effects('contract-a', 83)) === 1);
      assert.equal(await effects('contract-a', 82), 0);
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from outbox_events where (data->>'value')::int = 82`.execute(db);
      assert.equal(rows[0]!.n, 0);
    });

    it('relays every event of many publishers committing at once', async () => {
      // Only one committing transaction at a time sends the wake-up; the others must still arrive.
      await Promise.all(Array.from({ length: 60 }, () => publishValue(91)));
      await waitFor(
        'all sixty in both groups',
        async () => (await effects('contract-a', 91)) === 60 && (await effects('contract-b', 91)) === 60,
      );
    });

    it('gives every group every event, each exactly once', async () => {
      const events = await Promise.all([21, 21, 21].map((value) => publishValue(value)));
      await waitFor(
        'both groups',
        async () => (await effects('contract-a', 21)) === 3 && (await effects('contract-b', 21)) === 3,
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(await effects('contract-a', 21), 3);
      assert.equal(await effects('contract-b', 21), 3);
      for (const event of events) assert.equal(attempts.get(`contract-b:${event.id}`), 1);
    });

    it('retries a failing handler with backoff until it succeeds', async () => {
      failures.set(31, 2);
      const event = await publishValue(31);
      await waitFor('the retried effect', async () => (await effects('contract-a', 31)) === 1);
      assert.equal(attempts.get(`contract-a:${event.id}`), 3);
      const dead = await admin('GET', '/v1/admin/dead-letters?group=contract-a');
      assert.ok(!dead.json().data.some((d: { eventId: string }) => d.eventId === event.id));
    });

    it('runs a handler’s after-commit work once its writes are committed, never for a failed attempt', async () => {
      failures.set(61, 2);
      const event = await publishValue(61);
      await waitFor('the retried effect', async () => (await effects('contract-a', 61)) === 1);
      await waitFor('its after-commit work', async () => hooks.has(event.id));
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(attempts.get(`contract-a:${event.id}`), 3);
      assert.deepEqual(hooks.get(event.id), [true], 'once, after the commit of the attempt that succeeded');
    });

    it('dead-letters after the attempt limit, then replays once', async () => {
      failures.set(41, 99);
      const event = await publishValue(41);
      const letter = await waitFor('a dead letter', async () => {
        const res = await admin('GET', '/v1/admin/dead-letters?group=contract-a');
        return res.json().data.find((d: { eventId: string }) => d.eventId === event.id);
      });
      assert.equal(letter.attempts, 3);
      assert.equal(letter.group, 'contract-a');
      assert.equal(letter.eventType, 'platform.test');
      assert.match(letter.lastError, /planned failure 3 of value 41/);
      assert.deepEqual(letter.event.data, { value: 41 });
      assert.equal(await effects('contract-a', 41), 0);
      assert.equal(await effects('contract-b', 41), 1);
      const otherGroup = await admin('GET', '/v1/admin/dead-letters?group=contract-b');
      assert.deepEqual(otherGroup.json().data, []);

      failures.set(41, 0);
      const replay = await admin('POST', `/v1/admin/dead-letters/${letter.id}/replay`);
      assert.equal(replay.statusCode, 200);
      assert.equal(replay.json().data.id, letter.id);
      await waitFor('the replayed effect', async () => (await effects('contract-a', 41)) === 1);
      const again = await admin('POST', `/v1/admin/dead-letters/${letter.id}/replay`);
      assert.equal(again.statusCode, 404);
      assert.equal(again.json().errors[0].code, 'NOT_FOUND');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(await effects('contract-a', 41), 1);
      assert.equal(await effects('contract-b', 41), 1);
    });

    it('lets an admin discard a dead letter, and only an admin', async () => {
      failures.set(51, 99);
      const event = await publishValue(51);
      const letter = await waitFor('a dead letter', async () => {
        const res = await admin('GET', '/v1/admin/dead-letters?group=contract-a&limit=100');
        return res.json().data.find((d: { eventId: string }) => d.eventId === event.id);
      });
      const anonymous = await t.app.inject({ method: 'DELETE', url: `/v1/admin/dead-letters/${letter.id}` });
      assert.equal(anonymous.statusCode, 401);
      assert.equal(anonymous.json().errors[0].code, 'UNAUTHENTICATED');
      const user = await admin('DELETE', `/v1/admin/dead-letters/${letter.id}`, 'user');
      assert.equal(user.statusCode, 403);
      assert.equal(user.json().errors[0].code, 'FORBIDDEN');
      const userList = await admin('GET', '/v1/admin/dead-letters', 'user');
      assert.equal(userList.statusCode, 403);
      const badId = await admin('DELETE', '/v1/admin/dead-letters/not-a-uuid');
      assert.equal(badId.statusCode, 400);
      assert.equal(badId.json().errors[0].code, 'VALIDATION_ERROR');
      const badLimit = await admin('GET', '/v1/admin/dead-letters?limit=0');
      assert.equal(badLimit.statusCode, 400);

      const removed = await admin('DELETE', `/v1/admin/dead-letters/${letter.id}`);
      assert.equal(removed.statusCode, 200);
      assert.equal(removed.json().data.eventId, event.id);
      const gone = await admin('DELETE', `/v1/admin/dead-letters/${letter.id}`);
      assert.equal(gone.statusCode, 404);
    });

    it('replays from the stored envelope, or refuses when the outbox row is gone', async () => {
      // A dead letter whose event was pruned from the outbox (or never in it).
      const eventId = newId();
      const id = newId();
      const event = {
        id: eventId,
        type: 'platform.test',
        version: 1,
        occurredAt: new Date().toISOString(),
        actorId: null,
        coupleId: null,
        data: { value: 61 },
      };
      await sql`insert into bus_dead_letters (id, group_name, event_id, event_type, event, attempts, last_error)
        values (${id}, 'contract-b', ${eventId}, 'platform.test', ${JSON.stringify(event)}, 3, 'gone')`.execute(
        t.platform.database.db,
      );
      const replay = await admin('POST', `/v1/admin/dead-letters/${id}/replay`);
      if (transport === 'postgres') {
        assert.equal(replay.statusCode, 409);
        assert.equal(replay.json().errors[0].code, 'CONFLICT');
        const list = await admin('GET', '/v1/admin/dead-letters?group=contract-b');
        assert.ok(
          list.json().data.some((d: { id: string }) => d.id === id),
          'the dead letter stays',
        );
      } else {
        assert.equal(replay.statusCode, 200);
        await waitFor('the replayed effect', async () => (await effects('contract-b', 61)) === 1);
      }
      const forged = Buffer.from(JSON.stringify({ id: "x' or 1=1" })).toString('base64url');
      const badCursor = await admin('GET', `/v1/admin/dead-letters?cursor=${forged}`);
      assert.equal(badCursor.statusCode, 400);
      assert.equal(badCursor.json().errors[0].field, 'cursor');
    });

    it('reports the bus in /ready and /metrics', async () => {
      const ready = await t.app.inject({ url: '/ready' });
      assert.equal(ready.statusCode, 200);
      const checks = ready.json().data.checks;
      if (transport === 'nats') assert.equal(checks.nats, 'ok');
      else assert.equal(checks.nats, undefined);
      const metrics = await t.app.inject({ url: '/metrics' });
      assert.match(metrics.body, /bus_events_processed_total\{group="contract-a"\} \d+/);
      assert.match(metrics.body, /bus_outbox_backlog \d+/);
      assert.match(metrics.body, /bus_events_dead_lettered_total\{group="contract-a"\} [1-9]/);
    });
  });
}
