import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { analyticsContext } from '../../src/modules/analytics/index.ts';
import { analyticsPersonalData } from '../../src/modules/analytics/personal-data.ts';
import { MODULES } from '../../src/modules/index.ts';
import { publish } from '../../src/platform/bus/publish.ts';
import { startWorker } from '../../src/platform/worker.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { makeCouple } from '../support/love-notes.ts';
import { as, eventually, newUserId, testAuth } from '../support/test-auth.ts';

/** Server events from the bus (the `analytics` group), erasure, and the live counters. */
describe('analytics: server events, erasure, live', () => {
  let t: TestApp;
  let stop: () => Promise<void>;
  before(async () => {
    t = await createTestApp(
      { NATS_URL: '', JOBS_POLL_INTERVAL_MS: '100', ANALYTICS_LIVE_INTERVAL_MS: '50' },
      { routes: testAuth },
    );
    const stopModule = await MODULES.find((m) => m.name === 'analytics')!.worker!(t.platform);
    const stopWorker = await startWorker(t.platform);
    stop = async () => {
      await stopWorker();
      await stopModule();
    };
  });
  after(async () => {
    await stop();
    await t.close();
  });

  const consent = async (userId: string) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/users/me/consents',
      headers: as(userId),
      payload: { type: 'analytics', version: '1', granted: true },
    });
    assert.equal(res.statusCode, 201, res.body);
  };
  type Row = {
    event: string;
    user_id: string | null;
    couple_id: string | null;
    properties: object;
    source: string;
  };
  const rowsOf = async (event: string, coupleId: string) =>
    (
      await sql<Row>`select event, user_id, couple_id, properties, source from analytics_events
        where event = ${event} and (couple_id = ${coupleId} or couple_id is null) order by user_id nulls last`.execute(
        t.platform.database.db,
      )
    ).rows;

  it('creates today’s partition at worker start', async () => {
    const today = new Date().toISOString().slice(0, 10).replaceAll('-', '');
    const { rows } = await sql<{ found: boolean }>`
      select to_regclass(${`analytics_events_p${today}`}) is not null as found`.execute(
      t.platform.database.db,
    );
    assert.equal(rows[0]?.found, true);
  });

  it('records bus events per person: with their ids when they agreed, anonymously otherwise, never a body', async () => {
    const a = newUserId();
    const b = newUserId();
    await consent(a);
    const { coupleId } = await makeCouple(t, { ids: [a, b] });
    const linked = await eventually(async () => {
      const rows = (await rowsOf('couple.linked', coupleId)).filter(
        (r) => r.user_id === a || r.user_id === null,
      );
      return rows.some((r) => r.user_id === a) ? rows : undefined;
    });
    const mine = linked.find((r) => r.user_id === a)!;
    assert.equal(mine.couple_id, coupleId);
    assert.equal(mine.source, 'server');
    // b gave no consent: their row carries neither their id nor the couple.
    const { rows: bRows } = await sql<{ n: number }>`
      select count(*)::int as n from analytics_events where user_id = ${b}`.execute(t.platform.database.db);
    assert.equal(bRows[0]?.n, 0);

    const note = await t.app.inject({
      method: 'POST',
      url: '/v1/love-notes',
      headers: as(a),
      payload: { body: 'secret words of love' },
    });
    assert.equal(note.statusCode, 201, note.body);
    const sent = await eventually(async () => {
      const rows = (await rowsOf('love-note.sent', coupleId)).filter((r) => r.user_id === a);
      return rows.length > 0 ? rows : undefined;
    });
    assert.deepEqual(sent[0]?.properties, { series: false });
    const { rows: bodies } = await sql<{ n: number }>`
      select count(*)::int as n from analytics_events where properties::text like '%secret%'`.execute(
      t.platform.database.db,
    );
    assert.equal(bodies[0]?.n, 0);
  });

  it('counts a note as sent once: from love-note.delivered, or from a retired love-note.sent still in flight', async () => {
    const a = newUserId();
    const b = newUserId();
    await consent(a);
    const { coupleId } = await makeCouple(t, { ids: [a, b] });
    const parties = (noteId: string) => ({ noteId, coupleId, senderId: a, recipientId: b });
    const [oldNote, oneOff, ofSeries] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    await t.platform.database.db.transaction().execute(async (trx) => {
      // Written before the change: the pair, the delivery without seriesId.
      await publish(trx, 'love-note.sent', { ...parties(oldNote), seriesId: null }, { coupleId });
      await publish(trx, 'love-note.delivered', {
        ...parties(oldNote),
        deliveredAt: new Date().toISOString(),
      });
      // Written since: the delivery alone, with seriesId.
      await publish(trx, 'love-note.delivered', { ...parties(oneOff), seriesId: null }, { coupleId });
      await publish(
        trx,
        'love-note.delivered',
        { ...parties(ofSeries), seriesId: crypto.randomUUID() },
        { coupleId },
      );
    });
    const sent = await eventually(async () => {
      const rows = (await rowsOf('love-note.sent', coupleId)).filter((r) => r.user_id === a);
      return rows.length >= 3 ? rows : undefined;
    });
    // Let a wrongly recorded fourth row (the old delivery) land before counting.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const all = (await rowsOf('love-note.sent', coupleId)).filter((r) => r.user_id === a);
    assert.equal(all.length, 3, 'three notes, three rows');
    assert.deepEqual(sent.map((r) => (r.properties as { series: boolean }).series).sort(), [
      false,
      false,
      true,
    ]);
    const { rows: deliveredRows } = await sql<{ n: number }>`
      select count(*)::int as n from analytics_events where event = 'love-note.delivered'`.execute(
      t.platform.database.db,
    );
    assert.equal(deliveredRows[0]?.n, 0, 'recorded under the name love-note.sent only');
  });

  it('exports and erases a person’s events', async () => {
    const a = newUserId();
    await consent(a);
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/analytics/events',
      headers: as(a),
      payload: { id: crypto.randomUUID(), event: 'app.opened' },
    });
    assert.equal(res.json().data.accepted, 1);
    const exported = (await analyticsPersonalData.export(t.platform, a)) as {
      events: Array<{ event: string }>;
    };
    assert.deepEqual(
      exported.events.map((e) => e.event),
      ['app.opened'],
    );
    await analyticsPersonalData.erase(t.platform, a);
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from analytics_events where user_id = ${a}`.execute(t.platform.database.db);
    assert.equal(rows[0]?.n, 0);
    await analyticsPersonalData.erase(t.platform, a);
  });

  it('keeps live counters: events per second, notes per minute, users active in the last 5 minutes', async () => {
    const counters = analyticsContext(t.platform).counters;
    // A moment of its own (a year ahead), so no other writer shares its keys.
    const base =
      Math.floor(Date.now() / 60_000) * 60_000 + 365 * 86_400_000 + Math.floor(Math.random() * 1e6) * 60_000;
    const [u1, u2] = [newUserId(), newUserId()];
    await counters.record(30, [u1, u1, null], 0, base + 1_000);
    await counters.record(20, [u2], 2, base + 2_000);
    await counters.record(10, [u1], 1, base + 60_000 + 5_000);
    // At base + 61 s: events of the 10 s before (none), notes of minute 0 (2), users of minutes -4..1.
    assert.deepEqual(await counters.read(base + 61_500), {
      activeUsers: 2,
      eventsPerSecond: 0,
      notesPerMinute: 2,
      at: new Date(base + 61_500).toISOString(),
    });
    const inMinute0 = await counters.read(base + 5_000);
    assert.equal(inMinute0.eventsPerSecond, 5, '50 events in the last 10 s');
    // Five minutes later u1 (seen in minute 1) still counts, u2 (minute 0) no longer does.
    assert.equal((await counters.read(base + 5 * 60_000 + 1_000)).activeUsers, 1);
    assert.equal((await counters.read(base + 6 * 60_000 + 1_000)).activeUsers, 0);
  });

  it('streams live stats to admins over SSE', async () => {
    const refused = await t.app.inject({
      method: 'GET',
      url: '/v1/admin/analytics/live?frames=1',
      headers: as(newUserId()),
    });
    assert.equal(refused.statusCode, 403);
    const res = await t.app.inject({
      method: 'GET',
      url: '/v1/admin/analytics/live?frames=2',
      headers: as(newUserId(), 'admin'),
    });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/event-stream/);
    const frames = res.body.split('\n\n').filter(Boolean);
    assert.equal(frames.length, 2);
    const data = JSON.parse(
      frames[0]!
        .split('\n')
        .find((l) => l.startsWith('data: '))!
        .slice(6),
    );
    assert.deepEqual(Object.keys(data).sort(), ['activeUsers', 'at', 'eventsPerSecond', 'notesPerMinute']);
  });
});
