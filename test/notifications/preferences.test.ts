import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { MODULES } from '../../src/modules/index.ts';
import { sendDigests } from '../../src/modules/notifications/digest.ts';
import { unsubscribeToken } from '../../src/modules/notifications/email.ts';
import { notificationsContext } from '../../src/modules/notifications/index.ts';
import { upsertRecipient } from '../../src/modules/notifications/repo.ts';
import { startWorker } from '../../src/platform/worker.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { caller, registerUser } from '../support/auth.ts';
import { makeCouple } from '../support/love-notes.ts';
import { as, eventually, testAuth } from '../support/test-auth.ts';

type Step = { step: string; channel?: string; status?: string; reason?: string | null };
type Item = { id: string; kind: string; data: Record<string, string> };

/**
 * Who hears of what, on which channel, through the HTTP API with real
 * workers: love notes publishes, notifications plans by the one preference
 * model (GET/PATCH /v1/notifications/preferences) and reports every channel
 * back to the note's timeline (GET /v1/love-notes/{id}/deliveries).
 */
describe('notification preferences and recipients, end to end', () => {
  let t: TestApp;
  let stop: () => Promise<void>;
  before(async () => {
    t = await createTestApp({ NATS_URL: '', JOBS_POLL_INTERVAL_MS: '100' }, { routes: testAuth });
    const stops: Array<() => Promise<void>> = [];
    for (const name of ['notifications', 'love-notes']) {
      stops.push(await MODULES.find((m) => m.name === name)!.worker!(t.platform));
    }
    const stopWorker = await startWorker(t.platform);
    stop = async () => {
      await stopWorker();
      for (const s of stops) await s();
    };
  });
  after(async () => {
    await stop();
    await t.close();
  });

  /** Two registered people (so each has a sign-in email) linked as a couple. */
  async function couple() {
    const a = await registerUser(caller(t.app), { displayName: 'Alex' });
    const b = await registerUser(caller(t.app), { displayName: 'Sam' });
    return makeCouple(t, { ids: [a.id, b.id] });
  }

  const send = async (from: string, body = 'thinking of you') => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/love-notes',
      headers: as(from),
      payload: { body },
    });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().data.id as string;
  };
  const inbox = async (userId: string) => {
    const res = await t.app.inject({ url: '/v1/notifications', headers: as(userId) });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().data as Item[];
  };
  const preferences = (userId: string, patch?: object) =>
    t.app.inject({
      method: patch ? 'PATCH' : 'GET',
      url: '/v1/notifications/preferences',
      headers: as(userId),
      ...(patch ? { payload: patch } : {}),
    });
  const switchOff = async (userId: string, patch: object) => {
    const res = await preferences(userId, patch);
    assert.equal(res.statusCode, 200, res.body);
    return res.json().data;
  };
  /** The recipient's view of the note's timeline once every channel in `channels` has reported. */
  const timeline = (userId: string, noteId: string, channels: string[], settled?: (s: Step) => boolean) =>
    eventually(async () => {
      const res = await t.app.inject({ url: `/v1/love-notes/${noteId}/deliveries`, headers: as(userId) });
      assert.equal(res.statusCode, 200, res.body);
      const steps = (res.json().data as Step[]).filter((s) => s.step === 'channel');
      const found = new Map(steps.map((s) => [s.channel!, s]));
      const ready = channels.every((c) => found.has(c) && (!settled || settled(found.get(c)!)));
      return ready ? found : undefined;
    }, 20_000);
  const suppressedByPreference = (step: Step | undefined) => ({ status: step?.status, reason: step?.reason });

  it('tells the other partner about a reaction, never the one who reacted', async () => {
    const { a, b } = await couple();
    const noteId = await send(a);
    await eventually(async () => ((await inbox(b)).some((n) => n.data.noteId === noteId) ? true : undefined));

    // The sender reacts to their own note: the recipient hears of it.
    const own = await t.app.inject({
      method: 'POST',
      url: `/v1/love-notes/${noteId}/reactions`,
      headers: as(a),
      payload: { emoji: '😍' },
    });
    assert.equal(own.statusCode, 200, own.body);
    const toB = await eventually(async () =>
      (await inbox(b)).find((n) => n.kind === 'love-note.reacted' && n.data.noteId === noteId),
    );
    assert.ok(toB);
    assert.equal(
      (await inbox(a)).filter((n) => n.kind === 'love-note.reacted').length,
      0,
      'the one who reacted is not told about their own reaction',
    );

    // The recipient reacts: the sender hears of it, the recipient does not.
    const theirs = await t.app.inject({
      method: 'POST',
      url: `/v1/love-notes/${noteId}/reactions`,
      headers: as(b),
      payload: { emoji: '🔥' },
    });
    assert.equal(theirs.statusCode, 200, theirs.body);
    await eventually(async () =>
      (await inbox(a)).find((n) => n.kind === 'love-note.reacted' && n.data.noteId === noteId),
    );
    assert.equal((await inbox(b)).filter((n) => n.kind === 'love-note.reacted').length, 1);
  });

  it('shows one matrix with its defaults and refuses what cannot be switched', async () => {
    const { b } = await couple();
    const res = await preferences(b);
    assert.equal(res.statusCode, 200, res.body);
    const matrix = res.json().data;
    assert.deepEqual(matrix['love-notes'], {
      in_app: true,
      web_push: true,
      mobile_push: true,
      email: true,
      sms: false,
    });
    assert.equal(matrix.marketing.email, false);

    for (const bad of [
      { security: { email: false } },
      { security: { in_app: false } },
      { spam: { email: false } },
      { 'love-notes': { pigeon: true } },
      {},
    ]) {
      const refused = await preferences(b, bad);
      assert.equal(refused.statusCode, 400, JSON.stringify(bad));
      assert.equal(refused.json().errors[0].code, 'VALIDATION_ERROR');
    }
    assert.deepEqual((await preferences(b)).json().data, matrix, 'a refused change changes nothing');

    // Changes merge: one switch at a time, the others keep their value.
    await switchOff(b, { 'love-notes': { email: false } });
    const after = await switchOff(b, { coach: { mobile_push: false } });
    assert.equal(after['love-notes'].email, false);
    assert.equal(after['love-notes'].mobile_push, true);
    assert.equal(after.coach.mobile_push, false);
  });

  it('email: sent by default to someone no push reaches, suppressed by preference once switched off', async () => {
    const { a, b } = await couple();
    const first = await send(a);
    const before = await timeline(b, first, ['email'], (s) => s.status !== 'pending');
    assert.equal(before.get('email')?.status, 'sent');

    await switchOff(b, { 'love-notes': { email: false } });
    const second = await send(a);
    const steps = await timeline(b, second, ['in_app', 'email', 'web_push', 'mobile_push', 'sms']);
    assert.deepEqual(suppressedByPreference(steps.get('email')), {
      status: 'suppressed',
      reason: 'preference',
    });
    assert.equal(steps.get('in_app')?.status, 'delivered');
  });

  it('push: each push channel is suppressed by preference when switched off', async () => {
    const { a, b } = await couple();
    const device = await t.app.inject({
      method: 'POST',
      url: '/v1/notifications/devices',
      headers: as(b),
      payload: { platform: 'android', token: `token-${b}` },
    });
    assert.equal(device.statusCode, 201, device.body);
    const key = createECDH('prime256v1');
    key.generateKeys();
    const subscription = await t.app.inject({
      method: 'POST',
      url: '/v1/notifications/push-subscriptions',
      headers: as(b),
      payload: {
        endpoint: `https://push.example.test/send/${b}`,
        keys: { p256dh: key.getPublicKey('base64url'), auth: randomBytes(16).toString('base64url') },
      },
    });
    assert.equal(subscription.statusCode, 201, subscription.body);

    const on = await timeline(b, await send(a), ['mobile_push', 'web_push']);
    assert.notEqual(on.get('mobile_push')?.status, 'suppressed');
    assert.notEqual(on.get('web_push')?.status, 'suppressed');

    await switchOff(b, { 'love-notes': { mobile_push: false, web_push: false } });
    const off = await timeline(b, await send(a), ['mobile_push', 'web_push', 'email']);
    assert.deepEqual(suppressedByPreference(off.get('mobile_push')), {
      status: 'suppressed',
      reason: 'preference',
    });
    assert.deepEqual(suppressedByPreference(off.get('web_push')), {
      status: 'suppressed',
      reason: 'preference',
    });
    // With no push allowed, the email fallback takes over (email is still on).
    assert.notEqual(off.get('email')?.status, 'suppressed');
  });

  it('sms: off by default (suppressed by preference), sent once switched on, suppressed again when off', async () => {
    const { a, b } = await couple();
    // No API writes a phone number yet: the module's own contact record holds it.
    const ctx = await notificationsContext(t.platform);
    await upsertRecipient(ctx.db, { userId: b }, { phone: '+14155550123' });

    const byDefault = await timeline(b, await send(a), ['sms']);
    assert.deepEqual(suppressedByPreference(byDefault.get('sms')), {
      status: 'suppressed',
      reason: 'preference',
    });

    await switchOff(b, { 'love-notes': { sms: true } });
    const on = await timeline(b, await send(a), ['sms'], (s) => s.status !== 'pending');
    assert.equal(on.get('sms')?.status, 'sent');

    await switchOff(b, { 'love-notes': { sms: false } });
    const off = await timeline(b, await send(a), ['sms']);
    assert.deepEqual(suppressedByPreference(off.get('sms')), { status: 'suppressed', reason: 'preference' });
  });

  it('in-app: switched off, the note is neither in the inbox nor counted unread', async () => {
    const { a, b } = await couple();
    const shown = await send(a);
    await timeline(b, shown, ['in_app']);
    assert.ok((await inbox(b)).some((n) => n.data.noteId === shown));
    const unread = async () =>
      (await t.app.inject({ url: '/v1/notifications/unread-count', headers: as(b) })).json().data.count;
    const before = await unread();

    await switchOff(b, { 'love-notes': { in_app: false } });
    const hidden = await send(a);
    const steps = await timeline(b, hidden, ['in_app', 'email']);
    assert.deepEqual(suppressedByPreference(steps.get('in_app')), {
      status: 'suppressed',
      reason: 'preference',
    });
    assert.ok(!(await inbox(b)).some((n) => n.data.noteId === hidden));
    assert.equal(await unread(), before);
    // Kept out of the inbox there is no notification.created to carry the due email: it still goes.
    const mailed = await timeline(b, hidden, ['email'], (s) => s.status !== 'pending');
    assert.equal(mailed.get('email')?.status, 'sent');
  });

  it('a reaction waiting for the hourly email digest is suppressed by preference if email is switched off meanwhile', async () => {
    const { a, b } = await couple();
    const noteId = await send(b);
    await eventually(async () => ((await inbox(a)).some((n) => n.data.noteId === noteId) ? true : undefined));
    const reacted = await t.app.inject({
      method: 'POST',
      url: `/v1/love-notes/${noteId}/reactions`,
      headers: as(a),
      payload: { emoji: '🥰' },
    });
    assert.equal(reacted.statusCode, 200, reacted.body);
    const item = await eventually(async () =>
      (await inbox(b)).find((n) => n.kind === 'love-note.reacted' && n.data.noteId === noteId),
    );
    const emailOf = async () => {
      const res = await t.app.inject({ url: `/v1/notifications/${item.id}/deliveries`, headers: as(b) });
      assert.equal(res.statusCode, 200, res.body);
      return (
        res.json().data as Array<{ channel: string; status: string; reason: string | null; digest: boolean }>
      ).find((d) => d.channel === 'email');
    };
    const waiting = await emailOf();
    assert.equal(waiting?.status, 'pending');
    assert.equal(waiting?.digest, true);

    await switchOff(b, { 'love-notes': { email: false } });
    await sendDigests(await notificationsContext(t.platform));
    const settled = await emailOf();
    assert.deepEqual(
      { status: settled?.status, reason: settled?.reason },
      { status: 'suppressed', reason: 'preference' },
    );
  });

  it('a one-click unsubscribe shows in the same matrix', async () => {
    const { b } = await couple();
    const ctx = await notificationsContext(t.platform);
    const token = unsubscribeToken(ctx.encryption, b, 'couple');
    const done = await t.app.inject({ method: 'POST', url: `/v1/notifications/unsubscribe?token=${token}` });
    assert.equal(done.statusCode, 200, done.body);
    assert.equal((await preferences(b)).json().data.couple.email, false);
  });
});
