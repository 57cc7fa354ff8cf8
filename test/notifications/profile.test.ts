import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { NotificationsContext } from '../../src/modules/notifications/context.ts';
import { notificationsContext } from '../../src/modules/notifications/index.ts';
import { upsertDevice } from '../../src/modules/notifications/repo.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { as, testAuth } from '../support/test-auth.ts';
import { feed, loveNoteDelivered, userId } from './support.ts';

/** Quiet hours and language as a person sets them in their profile (users module). */
describe('notifications follow the profile: time zone, quiet hours, language', () => {
  let t: TestApp;
  let ctx: NotificationsContext;
  before(async () => {
    t = await createTestApp({}, { routes: testAuth });
    ctx = await notificationsContext(t.platform);
  });
  after(() => t.close());

  /** A window of quiet hours that contains "now" in the given zone: from an hour ago to two hours ahead. */
  function windowAroundNow(timeZone: string) {
    const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' }).format(
      new Date(),
    );
    const hour = Number(parts);
    const clock = (h: number) => `${String((h + 24) % 24).padStart(2, '0')}:00`;
    return { enabled: true, start: clock(hour - 1), end: clock(hour + 2) };
  }

  async function person(timeZone: string, locale: string, quietHours?: object) {
    const me = userId();
    const patch = await t.app.inject({
      method: 'PATCH',
      url: '/v1/users/me',
      headers: as(me),
      payload: { timeZone, locale },
    });
    assert.equal(patch.statusCode, 200, patch.body);
    if (quietHours) {
      const prefs = await t.app.inject({
        method: 'PATCH',
        url: '/v1/users/me/preferences',
        headers: as(me),
        payload: { quietHours },
      });
      assert.equal(prefs.statusCode, 200, prefs.body);
    }
    await upsertDevice(ctx.db, { userId: me }, { platform: 'ios', token: `t-${me}` });
    return me;
  }

  const pushRow = (notificationId: string) =>
    ctx.db
      .selectFrom('notifications_deliveries')
      .selectAll()
      .where('notification_id', '=', notificationId)
      .where('channel', '=', 'mobile_push')
      .executeTakeFirstOrThrow();

  it('holds a push until quiet hours end in the person’s own time zone', async () => {
    const tokyo = await person('Asia/Tokyo', 'en', windowAroundNow('Asia/Tokyo'));
    const { created } = await feed(ctx, 'love-note.delivered', loveNoteDelivered(tokyo));
    const row = await pushRow(created[0]!.id);
    assert.equal(row.status, 'pending');
    assert.equal(row.reason, 'quiet-hours');
    const waitHours = (row.next_attempt_at!.getTime() - Date.now()) / 3_600_000;
    assert.ok(waitHours > 1 && waitHours <= 2, `held ${waitHours} h`);
    const endsAt = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Tokyo',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(row.next_attempt_at!);
    assert.equal(endsAt, windowAroundNow('Asia/Tokyo').end);
    // The inbox has it at once.
    assert.equal(
      (await t.app.inject({ url: '/v1/notifications', headers: as(tokyo) })).json().data.length,
      1,
    );
  });

  it('sends at once to someone whose quiet hours are elsewhere in the day', async () => {
    const window = windowAroundNow('Asia/Tokyo');
    // The same wall-clock window, but in New York, where it is not that time now.
    const newYork = await person('America/New_York', 'en', window);
    const { created } = await feed(ctx, 'love-note.delivered', loveNoteDelivered(newYork));
    const row = await pushRow(created[0]!.id);
    assert.equal(row.reason, null);
    assert.ok(Math.abs(row.next_attempt_at!.getTime() - Date.now()) < 60_000);
  });

  it('writes in the profile’s language', async () => {
    const berlin = await person('Europe/Berlin', 'de-DE');
    await feed(ctx, 'love-note.delivered', loveNoteDelivered(berlin));
    const [item] = (await t.app.inject({ url: '/v1/notifications', headers: as(berlin) })).json().data;
    assert.equal(item.title, 'Sam hat dir eine Liebesnachricht geschickt');
  });
});
