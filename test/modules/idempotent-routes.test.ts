import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../support/app.ts';
import { as, newUserId, testAuth } from '../support/test-auth.ts';

/**
 * The creating POSTs of the couples and users modules record their
 * Idempotency-Key answer in the transaction that makes their change (love
 * notes have their own file): a retry is answered from the record, and the
 * record and the change were written by the same transaction.
 */
describe('Idempotency-Key on invites and consents', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({}, { routes: testAuth });
  });
  after(() => t.close());

  const post = (userId: string, url: string, key: string, payload?: object) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { ...as(userId), 'idempotency-key': key },
      ...(payload ? { payload } : {}),
    });
  const writerOf = async (query: ReturnType<typeof sql<{ xmin: string }>>) =>
    (await query.execute(t.platform.database.db)).rows[0]?.xmin;

  it('answers a retried invite with the same invite, recorded with it', async () => {
    const a = newUserId();
    const key = randomUUID();
    const first = await post(a, '/v1/couples/invites', key);
    assert.equal(first.statusCode, 201, first.body);
    const retry = await post(a, '/v1/couples/invites', key);
    assert.equal(retry.statusCode, 201);
    assert.equal(retry.headers['idempotent-replayed'], 'true');
    // A second run would have replaced the invite with a new code.
    assert.deepEqual(retry.json().data, first.json().data);
    const { code } = first.json().data;
    const invite = await writerOf(sql`select xmin::text from couples_invites where code = ${code}`);
    assert.ok(invite);
    assert.equal(await writerOf(sql`select xmin::text from idempotency_keys where key = ${key}`), invite);
    const pending = await sql<{ n: number }>`
      select count(*)::int as n from couples_invites where inviter_id = ${a} and status = 'pending'`.execute(
      t.platform.database.db,
    );
    assert.equal(pending.rows[0]!.n, 1);
  });

  it('records a retried consent once, with its answer', async () => {
    const a = newUserId();
    const key = randomUUID();
    const payload = { type: 'marketing', version: 'v7', granted: true };
    const first = await post(a, '/v1/users/me/consents', key, payload);
    assert.equal(first.statusCode, 201, first.body);
    const retry = await post(a, '/v1/users/me/consents', key, payload);
    assert.equal(retry.headers['idempotent-replayed'], 'true');
    assert.deepEqual(retry.json().data, first.json().data);
    const rows = await sql<{ xmin: string }>`
      select xmin::text from users_consents where user_id = ${a}`.execute(t.platform.database.db);
    assert.equal(rows.rows.length, 1);
    assert.equal(
      await writerOf(sql`select xmin::text from idempotency_keys where key = ${key}`),
      rows.rows[0]!.xmin,
    );
  });
});
