import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { recordOutcomes } from '../../src/modules/love-notes/channel-outcomes.ts';
import { createLoveNotesModule } from '../../src/modules/love-notes/index.ts';
import { loveNotesPersonalData } from '../../src/modules/love-notes/personal-data.ts';
import type { NotesTrx } from '../../src/modules/love-notes/tables.ts';
import { publish } from '../../src/platform/bus/publish.ts';
import { newId } from '../../src/platform/ids.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { makeCouple } from '../support/love-notes.ts';
import { as, testAuth } from '../support/test-auth.ts';

/**
 * A note's channel outcomes have no foreign key to it (its per-row check cost
 * ten times the insert): the insert locks the note it files under, and the
 * purge and the erasure delete the outcomes after the notes. These check that
 * no outcome outlives its note, including when the two race.
 */
describe('love-note channel outcomes go with their note', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({}, { routes: testAuth });
  });
  after(() => t.close());

  const db = () => t.platform.database.db;
  const send = async (from: string) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/love-notes',
      headers: as(from),
      payload: { body: 'x' },
    });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().data.id as string;
  };
  const outcome = (noteId: string, coupleId: string, userId: string, channel = 'email') => ({
    notificationId: newId(),
    deliveryId: newId(),
    userId,
    kind: 'love-note.received',
    channel: channel as 'email',
    status: 'sent' as const,
    reason: null,
    at: new Date().toISOString(),
    data: { noteId, coupleId },
  });
  const count = async (table: string, noteId: string) =>
    (
      await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where ${sql.ref(
        table === 'love_notes_notes' ? 'id' : 'note_id',
      )} = ${noteId}`.execute(db())
    ).rows[0]?.n;
  const settled = (promise: Promise<unknown>) => {
    let done = false;
    promise.then(
      () => {
        done = true;
      },
      () => {
        done = true;
      },
    );
    return () => done;
  };
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  /** Runs `work` in a transaction kept open (its locks held) until `commit()`; `ready` once `work` is done. */
  const heldOpen = (work: (trx: NotesTrx) => Promise<unknown>) => {
    let commit!: () => void;
    const held = new Promise<void>((resolve) => {
      commit = resolve;
    });
    let ready!: () => void;
    const isReady = new Promise<void>((resolve) => {
      ready = resolve;
    });
    const done = db()
      .transaction()
      .execute(async (trx) => {
        await work(trx as unknown as NotesTrx);
        ready();
        await held;
      });
    return { ready: isReady, commit, done };
  };

  it('an erasure waits for an outcome being filed, then removes it with the note', async () => {
    const { a, b, coupleId } = await makeCouple(t);
    const noteId = await send(a);
    const filing = heldOpen((trx) => recordOutcomes(trx, [outcome(noteId, coupleId, b)]));
    await filing.ready;
    const erasing = loveNotesPersonalData.erase!(t.platform, b);
    const erased = settled(erasing);
    await pause(300);
    assert.equal(
      erased(),
      false,
      'the erasure waits for the transaction that filed an outcome under the note',
    );
    filing.commit();
    await filing.done;
    await erasing;
    assert.equal(await count('love_notes_notes', noteId), 0);
    assert.equal(await count('love_notes_channel_outcomes', noteId), 0, 'no outcome outlives its note');
  });

  it('an outcome filed while its note is being deleted waits, then is dropped', async () => {
    const { a, b, coupleId } = await makeCouple(t);
    const noteId = await send(a);
    const deleting = heldOpen((trx) =>
      sql`delete from love_notes_notes where couple_id = ${coupleId} and id = ${noteId}`.execute(trx),
    );
    await deleting.ready;
    const filing = db()
      .transaction()
      .execute((trx) => recordOutcomes(trx as unknown as NotesTrx, [outcome(noteId, coupleId, b)]));
    const isFiling = settled(filing);
    await pause(300);
    assert.equal(isFiling(), false, 'the insert waits for the delete of its note');
    deleting.commit();
    await deleting.done;
    await filing;
    assert.equal(await count('love_notes_channel_outcomes', noteId), 0);
  });

  it("a couple's purge removes its notes' outcomes and no one else's", async () => {
    const purged = await makeCouple(t);
    const kept = await makeCouple(t);
    const purgedNote = await send(purged.a);
    const keptNote = await send(kept.a);
    await db()
      .transaction()
      .execute((trx) =>
        recordOutcomes(trx as unknown as NotesTrx, [
          outcome(purgedNote, purged.coupleId, purged.b, 'email'),
          outcome(purgedNote, purged.coupleId, purged.b, 'mobile_push'),
          outcome(keptNote, kept.coupleId, kept.b, 'email'),
        ]),
      );
    assert.equal(await count('love_notes_channel_outcomes', purgedNote), 2);
    const stopModule = await createLoveNotesModule().worker!(t.platform);
    const stopBus = await t.platform.bus.start();
    try {
      await publish(db(), 'couple.purged', { coupleId: purged.coupleId });
      const deadline = Date.now() + 60_000;
      while ((await count('love_notes_notes', purgedNote)) !== 0 && Date.now() < deadline) await pause(50);
      assert.equal(await count('love_notes_notes', purgedNote), 0);
      assert.equal(await count('love_notes_channel_outcomes', purgedNote), 0);
      assert.equal(await count('love_notes_channel_outcomes', keptNote), 1);
    } finally {
      await stopBus();
      await stopModule();
    }
  });
});
