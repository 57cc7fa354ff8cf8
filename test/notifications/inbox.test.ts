import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { NotificationsContext } from '../../src/modules/notifications/context.ts';
import { notificationsContext } from '../../src/modules/notifications/index.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { as, testAuth } from '../support/test-auth.ts';
import { feed, loveNoteDelivered, recipient, userId } from './support.ts';

describe('notifications inbox API', () => {
  let t: TestApp;
  let ctx: NotificationsContext;
  before(async () => {
    t = await createTestApp({}, { routes: testAuth });
    ctx = await notificationsContext(t.platform);
  });
  after(() => t.close());

  const get = (url: string, user: string) => t.app.inject({ method: 'GET', url, headers: as(user) });
  const post = (url: string, user: string, payload?: object) =>
    t.app.inject({ method: 'POST', url, headers: as(user), ...(payload ? { payload } : {}) });

  it('lists newest first with cursors, counts unread, marks read', async () => {
    const me = userId();
    for (let i = 0; i < 3; i++) await feed(ctx, 'love-note.delivered', loveNoteDelivered(me));
    const first = await get('/v1/notifications?limit=2', me);
    assert.equal(first.statusCode, 200);
    const page = first.json();
    assert.equal(page.data.length, 2);
    assert.equal(page.data[0].title, 'Sam sent you a love note');
    assert.equal(page.data[0].category, 'love-notes');
    assert.ok(page.data[0].id > page.data[1].id, 'newest first');
    const second = (await get(`/v1/notifications?limit=2&cursor=${page.meta.nextCursor}`, me)).json();
    assert.equal(second.data.length, 1);
    assert.equal(second.meta.nextCursor, null);

    assert.equal((await get('/v1/notifications/unread-count', me)).json().data.count, 3);
    const read = await post(`/v1/notifications/${page.data[0].id}/read`, me);
    assert.equal(read.statusCode, 200);
    const readAt = read.json().data.readAt;
    assert.ok(readAt);
    // Reading again keeps the first time.
    assert.equal((await post(`/v1/notifications/${page.data[0].id}/read`, me)).json().data.readAt, readAt);
    assert.equal((await get('/v1/notifications/unread-count', me)).json().data.count, 2);
    assert.equal((await get('/v1/notifications?unread=true', me)).json().data.length, 2);
    assert.equal((await post('/v1/notifications/read-all', me)).json().data.updated, 2);
    assert.equal((await get('/v1/notifications/unread-count', me)).json().data.count, 0);
  });

  it('renders in the recipient locale', async () => {
    const me = userId();
    await recipient(ctx, me, { locale: 'de-DE' });
    await feed(ctx, 'love-note.delivered', loveNoteDelivered(me));
    const [item] = (await get('/v1/notifications', me)).json().data;
    assert.equal(item.title, 'Sam hat dir eine Liebesnachricht geschickt');
  });

  it('never notifies twice for one event', async () => {
    const me = userId();
    const data = loveNoteDelivered(me);
    const { eventId } = await feed(ctx, 'love-note.delivered', data);
    const again = await feed(ctx, 'love-note.delivered', data, eventId);
    assert.equal(again.created.length, 0);
    assert.equal((await get('/v1/notifications', me)).json().data.length, 1);
  });

  it('keeps each person to their own notifications', async () => {
    const me = userId();
    const other = userId();
    await feed(ctx, 'love-note.delivered', loveNoteDelivered(me));
    const [mine] = (await get('/v1/notifications', me)).json().data;
    assert.equal((await get('/v1/notifications', other)).json().data.length, 0);
    assert.equal((await post(`/v1/notifications/${mine.id}/read`, other)).statusCode, 404);
    assert.equal((await get(`/v1/notifications/${mine.id}/deliveries`, other)).statusCode, 404);
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/v1/notifications/${mine.id}`,
      headers: as(other),
    });
    assert.equal(del.statusCode, 404);
    assert.equal(del.json().errors[0].code, 'NOT_FOUND');
  });

  it('deletes one notification and its deliveries', async () => {
    const me = userId();
    await feed(ctx, 'love-note.delivered', loveNoteDelivered(me));
    const [item] = (await get('/v1/notifications', me)).json().data;
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/v1/notifications/${item.id}`,
      headers: as(me),
    });
    assert.equal(del.statusCode, 204);
    assert.equal((await get('/v1/notifications', me)).json().data.length, 0);
    assert.equal((await get(`/v1/notifications/${item.id}/deliveries`, me)).statusCode, 404);
  });

  it('shows one delivery row per channel with why it was suppressed', async () => {
    const me = userId();
    await feed(ctx, 'love-note.delivered', loveNoteDelivered(me));
    const [item] = (await get('/v1/notifications', me)).json().data;
    const res = await get(`/v1/notifications/${item.id}/deliveries`, me);
    assert.equal(res.statusCode, 200);
    const byChannel = Object.fromEntries(
      res
        .json()
        .data.map((d: { channel: string; status: string; reason: string | null }) => [
          d.channel,
          `${d.status}:${d.reason}`,
        ]),
    );
    // No push target and no known email: in-app only, every other channel says why not.
    assert.deepEqual(byChannel, {
      in_app: 'delivered:null',
      web_push: 'suppressed:no-target',
      mobile_push: 'suppressed:no-target',
      email: 'suppressed:no-target',
      sms: 'suppressed:preference',
    });
  });

  it('answers 401 without a caller and 400 for bad input', async () => {
    const anonymous = await t.app.inject({ method: 'GET', url: '/v1/notifications' });
    assert.equal(anonymous.statusCode, 401);
    assert.equal(anonymous.json().errors[0].code, 'UNAUTHENTICATED');
    const me = userId();
    assert.equal((await post('/v1/notifications/not-a-uuid/read', me)).statusCode, 400);
    assert.equal((await get('/v1/notifications?cursor=%%%', me)).statusCode, 400);
    assert.equal((await get('/v1/notifications?limit=1000', me)).statusCode, 400);
  });

  it('lists failed deliveries for admins only', async () => {
    const me = userId();
    assert.equal((await get('/v1/admin/notifications/failures', me)).statusCode, 403);
    const admin = await t.app.inject({
      method: 'GET',
      url: '/v1/admin/notifications/failures',
      headers: as(me, 'admin'),
    });
    assert.equal(admin.statusCode, 200);
    assert.ok(Array.isArray(admin.json().data));
  });
});

describe('push targets API', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({}, { routes: testAuth });
  });
  after(() => t.close());

  const key65 = Buffer.alloc(65, 4).toString('base64url');
  const key16 = Buffer.alloc(16, 7).toString('base64url');

  it('serves the VAPID public key without sign-in', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/notifications/vapid-public-key' });
    assert.equal(res.statusCode, 200);
    assert.equal(Buffer.from(res.json().data.publicKey, 'base64url').length, 65);
  });

  it('registers, updates and removes a browser subscription', async () => {
    const me = userId();
    const body = { endpoint: 'https://push.example.com/send/abc', keys: { p256dh: key65, auth: key16 } };
    const first = await t.app.inject({
      method: 'POST',
      url: '/v1/notifications/push-subscriptions',
      headers: as(me),
      payload: body,
    });
    assert.equal(first.statusCode, 201);
    const again = await t.app.inject({
      method: 'POST',
      url: '/v1/notifications/push-subscriptions',
      headers: as(me),
      payload: body,
    });
    assert.equal(again.json().data.id, first.json().data.id, 'same endpoint, same subscription');
    const other = userId();
    const stolen = await t.app.inject({
      method: 'DELETE',
      url: `/v1/notifications/push-subscriptions/${first.json().data.id}`,
      headers: as(other),
    });
    assert.equal(stolen.statusCode, 404);
    const removed = await t.app.inject({
      method: 'DELETE',
      url: `/v1/notifications/push-subscriptions/${first.json().data.id}`,
      headers: as(me),
    });
    assert.equal(removed.statusCode, 204);
  });

  it('refuses subscriptions that are not https or carry wrong-sized keys', async () => {
    const me = userId();
    const post = (payload: object) =>
      t.app.inject({ method: 'POST', url: '/v1/notifications/push-subscriptions', headers: as(me), payload });
    const plainHttp = await post({
      endpoint: 'http://127.0.0.1:6379/',
      keys: { p256dh: key65, auth: key16 },
    });
    assert.equal(plainHttp.statusCode, 400);
    assert.equal(plainHttp.json().errors[0].field, 'endpoint');
    const shortKey = await post({
      endpoint: 'https://push.example.com/x',
      keys: { p256dh: key16, auth: key16 },
    });
    assert.equal(shortKey.json().errors[0].field, 'keys.p256dh');
    assert.equal((await post({ endpoint: 'https://push.example.com/x' })).statusCode, 400);
  });

  it('registers a phone once and moves its token to whoever signs in on it', async () => {
    const alice = userId();
    const bob = userId();
    const device = { platform: 'ios', token: 'a1b2c3d4' };
    const post = (user: string) =>
      t.app.inject({ method: 'POST', url: '/v1/notifications/devices', headers: as(user), payload: device });
    assert.equal((await post(alice)).statusCode, 201);
    assert.equal((await post(alice)).statusCode, 201);
    assert.equal((await post(bob)).statusCode, 201);
    const remove = (user: string) =>
      t.app.inject({
        method: 'DELETE',
        url: '/v1/notifications/devices',
        headers: as(user),
        payload: device,
      });
    assert.equal((await remove(alice)).statusCode, 404, 'the token moved to bob');
    assert.equal((await remove(bob)).statusCode, 204);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/v1/notifications/devices',
      headers: as(alice),
      payload: { platform: 'windows', token: 'x' },
    });
    assert.equal(bad.statusCode, 400);
  });
});
