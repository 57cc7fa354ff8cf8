import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { NotificationsContext } from '../../src/modules/notifications/context.ts';
import { attemptDelivery } from '../../src/modules/notifications/delivery.ts';
import { sendDigests } from '../../src/modules/notifications/digest.ts';
import { notificationsContext } from '../../src/modules/notifications/index.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp.ts';
import { testAuth } from '../support/test-auth.ts';
import { feed, loveNoteDelivered, recipient, userId } from './support.ts';

describe('notification email through a real SMTP server', () => {
  let smtp: SmtpSink;
  let t: TestApp;
  let ctx: NotificationsContext;
  before(async () => {
    smtp = await startSmtpSink();
    t = await createTestApp(
      { SMTP_URL: smtp.url, MAIL_FROM: 'One 2 One Love <hello@one2one.test>' },
      { routes: testAuth },
    );
    ctx = await notificationsContext(t.platform);
  });
  after(async () => {
    await t.close();
    await smtp.close();
  });

  const pendingEmail = (notificationId: string) =>
    ctx.db
      .selectFrom('notifications_deliveries')
      .selectAll()
      .where('notification_id', '=', notificationId)
      .where('channel', '=', 'email')
      .executeTakeFirst();

  async function mailFor(locale: string) {
    const me = userId();
    const email = `${me}@example.test`;
    await recipient(ctx, me, { email, locale });
    const { created } = await feed(
      ctx,
      'love-note.delivered',
      loveNoteDelivered(me, '0193a0c0-0000-7000-8000-000000000001'),
    );
    const delivery = (await pendingEmail(created[0]!.id))!;
    assert.equal(delivery.status, 'pending', 'no push target: email at once');
    await attemptDelivery(ctx, { userId: me, deliveryId: delivery.id });
    assert.equal((await pendingEmail(created[0]!.id))!.status, 'sent');
    return { me, email, mail: await smtp.mailTo(email) };
  }

  it('sends HTML and text parts with List-Unsubscribe and a working one-click link', async () => {
    const { me, email, mail } = await mailFor('en');
    const { parsed } = mail;
    assert.equal(parsed.subject, 'Sam sent you a love note');
    assert.equal(parsed.from?.value[0]?.address, 'hello@one2one.test');
    assert.match(parsed.text ?? '', /Open the app to read it\./);
    assert.match(parsed.text ?? '', /\/notes\/0193a0c0-0000-7000-8000-000000000001/);
    assert.match(String(parsed.html), /<h1[^>]*>Sam sent you a love note<\/h1>/);
    assert.match(mail.raw, /Content-Type: multipart\/alternative/i);
    // Read from the raw message: the headers exactly as a mail client sees them (unfolded).
    const header = (name: string) =>
      new RegExp(`^${name}:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)`, 'im')
        .exec(mail.raw)?.[1]
        ?.replace(/\r?\n[ \t]+/g, ' ')
        .trim();
    assert.equal(header('List-Unsubscribe-Post'), 'List-Unsubscribe=One-Click');
    const listUnsubscribe = header('List-Unsubscribe') ?? '';
    const link = /^<(https?:\/\/[^>]+\/v1\/notifications\/unsubscribe\?token=[A-Za-z0-9_-]+)>$/.exec(
      listUnsubscribe,
    )?.[1];
    assert.ok(link, `List-Unsubscribe carries the link: ${listUnsubscribe}`);
    assert.ok(parsed.text?.includes(link!), 'the text part carries the same link');
    assert.ok(String(parsed.html).includes(link!), 'the HTML part carries the same link');

    // The one-click POST (what a mail client sends) switches love-note email off.
    const url = new URL(link!);
    const res = await t.app.inject({ method: 'POST', url: `${url.pathname}${url.search}` });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().data.category, 'love-notes');
    const { created } = await feed(ctx, 'love-note.delivered', loveNoteDelivered(me));
    const after = await pendingEmail(created[0]!.id);
    assert.equal(after?.status, 'suppressed');
    assert.equal(after?.reason, 'preference');
    assert.equal(smtp.received.filter((m) => m.to.includes(email)).length, 1);
  });

  it('writes in the recipient language', async () => {
    const { mail } = await mailFor('de');
    assert.equal(mail.parsed.subject, 'Sam hat dir eine Liebesnachricht geschickt');
    assert.match(mail.parsed.text ?? '', /Öffne die App, um sie zu lesen\./);
    assert.match(mail.parsed.text ?? '', /Diese E-Mails abbestellen/);
    assert.match(String(mail.parsed.html), /lang="de"/);
  });

  it('sends security mail without an unsubscribe link', async () => {
    const me = userId();
    const email = `${me}@example.test`;
    await recipient(ctx, me, { email });
    const { created } = await feed(ctx, 'user.password-changed', { userId: me, reason: 'change' });
    const delivery = (await pendingEmail(created[0]!.id))!;
    await attemptDelivery(ctx, { userId: me, deliveryId: delivery.id });
    const mail = await smtp.mailTo(email);
    assert.equal(mail.parsed.subject, 'Your password was changed');
    assert.doesNotMatch(mail.raw, /^List-Unsubscribe/im);
    assert.doesNotMatch(mail.parsed.text ?? '', /unsubscribe/i);
  });

  it('groups reactions into one hourly digest mail', async () => {
    const me = userId();
    const email = `${me}@example.test`;
    await recipient(ctx, me, { email });
    const noteId = '0193a0c0-0000-7000-8000-000000000002';
    const partner = userId();
    for (const reaction of ['😍', '🔥', '🥰']) {
      await feed(ctx, 'love-note.reacted', {
        noteId,
        senderId: me,
        recipientId: partner,
        userId: partner,
        reactorName: 'Sam',
        reaction,
      });
    }
    assert.equal(
      smtp.received.filter((m) => m.to.includes(email)).length,
      0,
      'nothing before the digest runs',
    );
    await sendDigests(ctx);
    const mail = await smtp.mailTo(email);
    assert.equal(mail.parsed.subject, 'You have 3 new updates');
    for (const reaction of ['😍', '🔥', '🥰'])
      assert.match(mail.parsed.text ?? '', new RegExp(`Sam reacted ${reaction}`));
    const rows = await ctx.db
      .selectFrom('notifications_deliveries')
      .select(['status', 'channel'])
      .where('user_id', '=', me)
      .where('channel', '=', 'email')
      .execute();
    assert.deepEqual(
      rows.map((r) => r.status),
      ['sent', 'sent', 'sent'],
    );
    await sendDigests(ctx);
    assert.equal(
      smtp.received.filter((m) => m.to.includes(email)).length,
      1,
      'a second run sends nothing new',
    );
  });
});
