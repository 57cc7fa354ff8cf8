import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { type Kysely, sql } from 'kysely';
import { idempotentAnswerOf, recordAnswer } from '../../src/platform/http/idempotency.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

/**
 * `idempotent: 'in-transaction'`: the handler records its answer in the
 * transaction that makes its change, so the two commit or vanish together.
 */
describe('Idempotency-Key answered in the handler’s transaction', () => {
  let t: TestApp;
  // biome-ignore lint/suspicious/noExplicitAny: a scratch table outside every module's types
  let db: Kysely<any>;
  let runs = 0;
  /** Fail after the answer is written but before the commit: what a crash there leaves. */
  let failBeforeCommit = false;
  /**
   * Holds each handler until `expected` handlers are inside (or 2 s passed), so
   * concurrent duplicates all get past the lookup before the first one commits.
   */
  let expected = 1;
  let inside = 0;
  let allInside: () => void = () => {};
  let arrived = Promise.resolve();
  const expectConcurrent = (n: number) => {
    expected = n;
    inside = 0;
    arrived = new Promise<void>((resolve) => {
      allInside = resolve;
      setTimeout(resolve, 2000);
    });
  };
  const concurrentArrivals = async () => {
    inside += 1;
    if (inside >= expected) allInside();
    if (expected > 1) await arrived;
  };

  before(async () => {
    t = await createTestApp(
      {},
      {
        routes: async (app: FastifyInstance) => {
          app.post('/wishes', { config: { idempotent: 'in-transaction' } }, async (request, reply) => {
            runs += 1;
            const wish = await db.transaction().execute(async (trx) => {
              const row = await trx
                .insertInto('scratch_wishes')
                .values({ body: JSON.stringify(request.body) })
                .returning(['id', 'body'])
                .executeTakeFirstOrThrow();
              await concurrentArrivals();
              const answer = idempotentAnswerOf(request);
              if (answer) await recordAnswer(trx, answer, 201, row);
              if (failBeforeCommit) {
                failBeforeCommit = false;
                throw new Error('the process died here');
              }
              return row;
            });
            return reply.status(201).send(wish);
          });
        },
      },
    );
    db = t.platform.database.db;
    await sql`create table scratch_wishes (id serial primary key, body jsonb not null)`.execute(db);
  });
  after(() => t.close());

  const post = (key: string, payload: object) =>
    t.app.inject({ method: 'POST', url: '/v1/wishes', payload, headers: { 'idempotency-key': key } });
  const wishes = async (payload: object) =>
    (
      await sql<{
        n: number;
      }>`select count(*)::int as n from scratch_wishes where body = ${JSON.stringify(payload)}::jsonb`.execute(
        db,
      )
    ).rows[0]!.n;

  it('runs once, and answers a retry from the record in a fresh envelope', async () => {
    const before = runs;
    const first = await post('wish-1', { w: 1 });
    const retry = await post('wish-1', { w: 1 });
    assert.equal(first.statusCode, 201);
    assert.equal(retry.statusCode, 201);
    assert.equal(retry.headers['idempotent-replayed'], 'true');
    assert.deepEqual(retry.json().data, first.json().data);
    assert.equal(retry.json().success, true);
    assert.notEqual(retry.json().meta.requestId, first.json().meta.requestId);
    assert.equal(runs, before + 1);
    assert.equal(await wishes({ w: 1 }), 1);
    const other = await post('wish-1', { w: 2 });
    assert.equal(other.statusCode, 422);
  });

  it('leaves neither change nor answer when the transaction dies after recording, so the retry runs', async () => {
    failBeforeCommit = true;
    const failed = await post('wish-2', { w: 3 });
    assert.equal(failed.statusCode, 500);
    assert.equal(await wishes({ w: 3 }), 0);
    const recorded = await sql`select 1 from idempotency_keys where key = 'wish-2'`.execute(db);
    assert.equal(recorded.rows.length, 0);
    const retry = await post('wish-2', { w: 3 });
    assert.equal(retry.statusCode, 201);
    assert.equal(retry.headers['idempotent-replayed'], undefined);
    assert.equal(await wishes({ w: 3 }), 1);
  });

  it('keeps one change of concurrent duplicates; the others wait for it, get 409 and leave nothing', async () => {
    const before = runs;
    expectConcurrent(4);
    const results = await Promise.all(Array.from({ length: 4 }, () => post('wish-3', { w: 4 })));
    expectConcurrent(1);
    const ran = results.filter((r) => r.statusCode === 201 && !r.headers['idempotent-replayed']);
    const refused = results.filter((r) => r.statusCode === 409);
    assert.equal(ran.length, 1, results.map((r) => r.statusCode).join());
    // Every handler run but the one that answered was refused at the record and undone.
    assert.equal(refused.length, runs - before - 1);
    assert.ok(refused.length > 0, 'the duplicates overlapped the first run');
    for (const r of refused) {
      assert.equal(r.json().errors[0].code, 'CONFLICT');
      assert.match(r.json().errors[0].message, /retry/);
    }
    assert.equal(await wishes({ w: 4 }), 1);
    const retry = await post('wish-3', { w: 4 });
    assert.equal(retry.headers['idempotent-replayed'], 'true');
    assert.deepEqual(retry.json().data, ran[0]!.json().data);
  });
});
