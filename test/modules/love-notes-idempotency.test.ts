import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../support/app.ts';
import { makeCouple } from '../support/love-notes.ts';
import { as, testAuth } from '../support/test-auth.ts';

/**
 * A keyed send records its answer in the transaction that writes the note, so
 * no crash can leave a note without its answer (a retry would then be refused
 * with 409 for a day) or an answer without its note.
 */
describe('love notes: Idempotency-Key answered in the note’s transaction', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({}, { routes: testAuth });
  });
  after(() => t.close());

  const post = (userId: string, url: string, payload: object, key: string) =>
    t.app.inject({ method: 'POST', url, payload, headers: { ...as(userId), 'idempotency-key': key } });
  /** The id of the transaction that wrote a row: the same for rows committed together. */
  const writer = async (table: 'love_notes_notes' | 'love_notes_templates', id: string) =>
    (
      await sql<{ xmin: string }>`select xmin::text from ${sql.table(table)} where id = ${id}`.execute(
        t.platform.database.db,
      )
    ).rows[0]?.xmin;
  const answerWriter = async (key: string) =>
    (
      await sql<{ xmin: string }>`select xmin::text from idempotency_keys where key = ${key}`.execute(
        t.platform.database.db,
      )
    ).rows[0]?.xmin;

  for (const [kind, extra, status] of [
    ['a note sent now', {}, 201],
    ['a scheduled note', { scheduledAt: new Date(Date.now() + 86_400_000).toISOString() }, 202],
  ] as const) {
    it(`commits ${kind} and its recorded answer together, and replays that answer`, async () => {
      const { a } = await makeCouple(t);
      const key = randomUUID();
      const first = await post(a, '/v1/love-notes', { body: 'only once', ...extra }, key);
      assert.equal(first.statusCode, status, first.body);
      const note = first.json().data;
      const noteWriter = await writer('love_notes_notes', note.id);
      assert.ok(noteWriter);
      assert.equal(await answerWriter(key), noteWriter);

      const retry = await post(a, '/v1/love-notes', { body: 'only once', ...extra }, key);
      assert.equal(retry.statusCode, status);
      assert.equal(retry.headers['idempotent-replayed'], 'true');
      assert.deepEqual(retry.json().data, note);
      // A replay is a response of its own, in the usual envelope with its own request id.
      assert.notEqual(retry.json().meta.requestId, first.json().meta.requestId);
      const changed = await post(a, '/v1/love-notes', { body: 'another text', ...extra }, key);
      assert.equal(changed.statusCode, 422);
    });
  }

  it('lets one of concurrent duplicates send; the others change nothing', async () => {
    const { a, b } = await makeCouple(t);
    const key = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 6 }, () => post(a, '/v1/love-notes', { body: 'at the same time' }, key)),
    );
    // One ran; each other one either waited for it and was refused (409), or came after it
    // and was answered from its record.
    const ran = results.filter((r) => r.statusCode === 201 && !r.headers['idempotent-replayed']);
    assert.equal(ran.length, 1, results.map((r) => r.statusCode).join());
    const sent = ran[0]!.json().data;
    for (const r of results) {
      if (r === ran[0]) continue;
      if (r.statusCode === 409) assert.equal(r.json().errors[0].code, 'CONFLICT', r.body);
      else assert.equal(r.json().data.id, sent.id, r.body);
    }
    const notes = await t.platform.database.db
      .selectFrom('love_notes_notes')
      .select('id')
      .where('sender_id', '=', a)
      .execute();
    assert.equal(notes.length, 1);
    assert.equal(notes[0]!.id, sent.id);
    const events = await sql<{ n: number }>`
      select count(*)::int as n from outbox_events where data->>'noteId' = ${sent.id}`.execute(
      t.platform.database.db,
    );
    assert.equal(events.rows[0]!.n, 1, 'love-note.delivered, once');
    const inbox = await t.app.inject({ method: 'GET', url: '/v1/love-notes?box=inbox', headers: as(b) });
    assert.equal(inbox.json().data.length, 1);
    const retry = await post(a, '/v1/love-notes', { body: 'at the same time' }, key);
    assert.equal(retry.headers['idempotent-replayed'], 'true');
    assert.equal(retry.json().data.id, sent.id);
  });

  it('commits a personal template and its recorded answer together', async () => {
    const { a } = await makeCouple(t);
    const key = randomUUID();
    const payload = { category: 'morning', title: 'Sunrise', body: 'Good morning {{partnerName}}' };
    const first = await post(a, '/v1/love-notes/templates', payload, key);
    assert.equal(first.statusCode, 201, first.body);
    const template = first.json().data;
    assert.equal(await answerWriter(key), await writer('love_notes_templates', template.id));
    const retry = await post(a, '/v1/love-notes/templates', payload, key);
    assert.equal(retry.headers['idempotent-replayed'], 'true');
    assert.deepEqual(retry.json().data, template);
    const mine = await t.platform.database.db
      .selectFrom('love_notes_templates')
      .select('id')
      .where('user_id', '=', a)
      .execute();
    assert.equal(mine.length, 1);
  });
});
