import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { NotificationsContext } from '../../src/modules/notifications/context.ts';
import { unsubscribeToken } from '../../src/modules/notifications/email.ts';
import { notificationsContext } from '../../src/modules/notifications/index.ts';
import { findRecipient } from '../../src/modules/notifications/repo.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { as, testAuth } from '../support/test-auth.ts';
import { feed, loveNoteDelivered, userId } from './support.ts';

const AUTH_TOKEN = 'twilio-webhook-test-token';

describe('Twilio status webhook and one-click unsubscribe', () => {
  let t: TestApp;
  let ctx: NotificationsContext;
  before(async () => {
    t = await createTestApp(
      {
        TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000001',
        TWILIO_AUTH_TOKEN: AUTH_TOKEN,
        TWILIO_FROM: '+15005550006',
        TWILIO_API_URL: 'http://127.0.0.1:1',
      },
      { routes: testAuth },
    );
    ctx = await notificationsContext(t.platform);
  });
  after(() => t.close());

  const webhook = (form: Record<string, string>, signWith = AUTH_TOKEN) => {
    const url = `${ctx.links.publicUrl}/v1/notifications/webhooks/twilio`;
    const signature = createHmac('sha1', signWith)
      .update(
        url +
          Object.keys(form)
            .sort()
            .map((k) => k + form[k])
            .join(''),
      )
      .digest('base64');
    return t.app.inject({
      method: 'POST',
      url: '/v1/notifications/webhooks/twilio',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      payload: new URLSearchParams(form).toString(),
    });
  };

  it('marks the SMS delivered on a signed callback and refuses a forged one', async () => {
    const me = userId();
    const { created } = await feed(ctx, 'love-note.delivered', loveNoteDelivered(me));
    const sms = (await ctx.db
      .selectFrom('notifications_deliveries')
      .selectAll()
      .where('notification_id', '=', created[0]!.id)
      .where('channel', '=', 'sms')
      .executeTakeFirstOrThrow())!;
    await ctx.db
      .updateTable('notifications_deliveries')
      .set({ status: 'sent', provider_message_id: 'SM123' })
      .where('user_id', '=', me)
      .where('id', '=', sms.id)
      .execute();

    const forged = await webhook({ MessageSid: 'SM123', MessageStatus: 'delivered' }, 'not-the-token');
    assert.equal(forged.statusCode, 401);
    const ok = await webhook({ MessageSid: 'SM123', MessageStatus: 'delivered', To: '+14155552671' });
    assert.equal(ok.statusCode, 204);
    const deliveries = await t.app.inject({
      method: 'GET',
      url: `/v1/notifications/${created[0]!.id}/deliveries`,
      headers: as(me),
    });
    const row = deliveries.json().data.find((d: { channel: string }) => d.channel === 'sms');
    assert.equal(row.status, 'delivered');
    assert.ok(row.deliveredAt);
    // A late "sent" or "failed" after delivery does not move it back.
    await webhook({ MessageSid: 'SM123', MessageStatus: 'failed' });
    const again = await t.app.inject({
      method: 'GET',
      url: `/v1/notifications/${created[0]!.id}/deliveries`,
      headers: as(me),
    });
    assert.equal(again.json().data.find((d: { channel: string }) => d.channel === 'sms').status, 'delivered');
  });

  it('rejects a callback without the signature header', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/notifications/webhooks/twilio',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'MessageSid=SM1&MessageStatus=delivered',
    });
    assert.equal(res.statusCode, 401);
  });

  it('unsubscribes from a category by POST only, with a token nobody can forge', async () => {
    const me = userId();
    const token = unsubscribeToken(ctx.encryption, me, 'love-notes');
    const look = await t.app.inject({ method: 'GET', url: `/v1/notifications/unsubscribe?token=${token}` });
    assert.equal(look.statusCode, 200);
    assert.deepEqual(look.json().data, { category: 'love-notes', channel: 'email' });
    assert.equal(await findRecipient(ctx.db, { userId: me }), undefined, 'GET changes nothing');

    const done = await t.app.inject({ method: 'POST', url: `/v1/notifications/unsubscribe?token=${token}` });
    assert.equal(done.statusCode, 200);
    assert.equal(done.json().data.unsubscribed, true);
    const prefs = (await findRecipient(ctx.db, { userId: me }))?.preferences;
    assert.deepEqual(prefs, { 'love-notes': { email: false } });

    const tampered = `${token.slice(0, -4)}AAAA`;
    const bad = await t.app.inject({
      method: 'POST',
      url: `/v1/notifications/unsubscribe?token=${tampered}`,
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().errors[0].field, 'token');
    const security = unsubscribeToken(ctx.encryption, me, 'security');
    assert.equal(
      (await t.app.inject({ method: 'POST', url: `/v1/notifications/unsubscribe?token=${security}` }))
        .statusCode,
      400,
    );
  });
});
