import assert from 'node:assert/strict';
import { createECDH, createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { Secret } from 'otpauth';
import sharp from 'sharp';
import type { TestApp } from '../app.ts';
import { bearer, type Call, caller, PASSWORD, tokenIn, uniqueEmail, waitForMail } from '../auth.ts';
import { referenceTotp } from '../totp.ts';

/**
 * The state a fuzzer needs to reach every operation with a 2xx: real users
 * signed up through the API (owner and partner linked as a couple, a
 * stranger in a couple of their own, an ex-partner, a suspended user, an
 * editor and an admin), each with a real bearer token, plus the resources
 * those users own (a note, an event, a template, a conversation, content,
 * an API key, a flag, a dead letter). `fresh*` helpers make a new resource
 * for operations that use one up (delete, accept, rotate).
 */
export interface Actor {
  id: string;
  email: string;
  password: string;
  token: string;
  refreshToken: string;
  call: Call;
}

export const NEW_PASSWORD = 'amber-meadow-compass-77';
export const OIDC_PROVIDER = 'acme';

const daysAhead = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
/** A wall-clock time in the note's time zone, as the love-notes API takes it. */
export const localAhead = (days: number) => daysAhead(days).slice(0, 16);

export class World {
  readonly t: TestApp;
  readonly anon: Call;
  owner!: Actor;
  partner!: Actor;
  stranger!: Actor;
  strangerPartner!: Actor;
  ex!: Actor;
  suspended!: Actor;
  editor!: Actor;
  admin!: Actor;
  coupleId = '';
  noteId = '';
  templateId = '';
  eventId = '';
  conversationId = '';
  content = { id: '', slug: '' };
  mediaUrl = '';
  showSlug = '';
  feedToken = '';
  apiKeyId = '';
  flagKey = '';
  deadLetterId = '';
  notificationIds: string[] = [];
  pushSubscriptionId = '';
  invoiceId = '';
  exportId = '';
  sessionId = '';
  identityId = '';
  /** Extra hooks the runner's recipes need (an OpenID provider, when the app has one). */
  oidc?: { authorize(url: string, accountId: string): Promise<URL>; accounts: Map<string, unknown> };

  constructor(t: TestApp) {
    this.t = t;
    this.anon = caller(t.app);
  }

  async send(actor: Actor | undefined, options: InjectOptions): Promise<LightMyRequestResponse> {
    const call = actor?.call ?? this.anon;
    return call({ ...options, headers: { ...(actor ? bearer(actor.token) : {}), ...options.headers } });
  }

  /** A setup request that must succeed: its status is checked, its data returned. */
  async must<T = Record<string, unknown>>(
    actor: Actor | undefined,
    method: InjectOptions['method'],
    url: string,
    payload?: unknown,
    status?: number,
  ): Promise<T> {
    const res = await this.send(actor, {
      method,
      url,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    if (status ? res.statusCode !== status : res.statusCode >= 300) {
      throw new Error(`setup ${method} ${url} → ${res.statusCode} ${res.body.slice(0, 400)}`);
    }
    return (res.body ? res.json().data : undefined) as T;
  }

  async user(label = 'fuzz'): Promise<Actor> {
    const call = caller(this.t.app);
    const email = uniqueEmail(label);
    const res = await call({
      method: 'POST',
      url: '/v1/auth/register',
      payload: { email, password: PASSWORD, displayName: `Fuzz ${label}`, acceptTerms: true },
    });
    if (res.statusCode !== 201) throw new Error(`register failed: ${res.statusCode} ${res.body}`);
    const data = res.json().data;
    return {
      id: data.user.id,
      email,
      password: PASSWORD,
      token: data.accessToken,
      refreshToken: data.refreshToken,
      call,
    };
  }

  async login(actor: Actor): Promise<Actor> {
    const res = await actor.call({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: actor.email, password: actor.password },
    });
    assert.equal(res.statusCode, 200, res.body);
    const data = res.json().data;
    return { ...actor, token: data.accessToken, refreshToken: data.refreshToken };
  }

  async staff(role: 'editor' | 'admin'): Promise<Actor> {
    const actor = await this.user(role);
    await this.t.platform.database.db
      .updateTable('auth_accounts' as never)
      .set({ role } as never)
      .where('id' as never, '=', actor.id as never)
      .execute();
    return this.login(actor);
  }

  async link(a: Actor, b: Actor): Promise<string> {
    const invite = await this.must<{ code: string }>(a, 'POST', '/v1/couples/invites');
    const couple = await this.must<{ id: string }>(b, 'POST', `/v1/couples/invites/${invite.code}/accept`);
    return couple.id;
  }

  async couple(label = 'pair'): Promise<[Actor, Actor]> {
    const [a, b] = await Promise.all([this.user(`${label}a`), this.user(`${label}b`)]);
    await this.link(a, b);
    return [a, b];
  }

  private readonly waiting: string[] = [];

  /**
   * A scheduled note of the owner's. A sender may have 100 waiting: past 50
   * made here, the oldest is cancelled (long runs of the fuzzer make thousands).
   */
  async freshNote(sender = this.owner, days = 30): Promise<string> {
    const create = () =>
      this.must<{ id: string }>(sender, 'POST', '/v1/love-notes', {
        body: 'Later, love',
        scheduledAt: localAhead(days),
        timeZone: 'Europe/Paris',
      });
    const note = await create().catch(async (error: Error) => {
      // The fuzzer's own scheduled notes filled the allowance: cancel a page of them.
      if (!/scheduled notes waiting/.test(error.message)) throw error;
      const page = await this.must<Array<{ id: string }>>(
        sender,
        'GET',
        '/v1/love-notes?box=scheduled&limit=50',
      );
      for (const old of page.filter((n) => n.id !== this.noteId))
        await this.send(sender, { method: 'DELETE', url: `/v1/love-notes/${old.id}` });
      return create();
    });
    await this.keepWaiting(sender, note.id);
    return note.id;
  }

  private async keepWaiting(sender: Actor, id: string): Promise<void> {
    if (sender !== this.owner) return;
    this.waiting.push(id);
    while (this.waiting.length > 50) {
      await this.send(sender, { method: 'DELETE', url: `/v1/love-notes/${this.waiting.shift()}` });
    }
  }

  /** A note sent now, so its recipient can read, react and favourite. */
  async sentNote(sender = this.owner): Promise<string> {
    const note = await this.must<{ id: string }>(sender, 'POST', '/v1/love-notes', { body: 'Now, love' });
    return note.id;
  }

  async freshTemplate(owner = this.owner): Promise<string> {
    const template = await this.must<{ id: string }>(owner, 'POST', '/v1/love-notes/templates', {
      category: 'morning',
      title: 'Morning',
      body: 'Good morning {{name}}',
    });
    return template.id;
  }

  async freshEvent(owner = this.owner): Promise<string> {
    const event = await this.must<{ id: string }>(owner, 'POST', '/v1/calendar/events', {
      title: 'Dinner',
      start: localAhead(10),
      end: localAhead(10.1),
      timeZone: 'Europe/Paris',
    });
    return event.id;
  }

  async freshConversation(owner = this.owner): Promise<string> {
    const created = await this.must<{ conversation: { id: string } }>(
      owner,
      'POST',
      '/v1/coach/conversations',
      {
        title: 'Us',
      },
    );
    return created.conversation.id;
  }

  async freshContent(editor = this.editor): Promise<{ id: string; slug: string }> {
    const slug = `fuzz-${randomBytes(5).toString('hex')}`;
    const item = await this.must<{ id: string; slug: string }>(editor, 'POST', '/v1/admin/content', {
      type: 'article',
      slug,
      title: 'Fuzzing together',
      excerpt: 'A short read',
      body: '# Hello\n\nA body.',
      tags: ['fuzz'],
      visibility: 'public',
    });
    return { id: item.id, slug: item.slug };
  }

  async freshApiKey(): Promise<string> {
    const created = await this.must<{ key: { id: string } }>(this.admin, 'POST', '/v1/admin/api-keys', {
      name: 'fuzz key',
      scopes: ['content:read'],
    });
    return created.key.id;
  }

  async freshFlag(): Promise<string> {
    const key = `fuzz.${randomBytes(4).toString('hex')}`;
    await this.must(this.admin, 'POST', '/v1/admin/feature-flags', { key, enabled: true });
    return key;
  }

  async freshInvite(inviter: Actor): Promise<string> {
    return (await this.must<{ code: string }>(inviter, 'POST', '/v1/couples/invites')).code;
  }

  pushKeys() {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    return { p256dh: ecdh.getPublicKey('base64url'), auth: randomBytes(16).toString('base64url') };
  }

  /**
   * A delivery that used up its attempts, as a provider outage leaves it (written directly: making
   * a real one takes a failing provider and the worker's retries, see test/faults/provider-outage).
   */
  async freshFailedDelivery(owner = this.owner): Promise<string> {
    const notificationId = randomUUID();
    const deliveryId = randomUUID();
    const db = this.t.platform.database.db;
    await db
      .insertInto('notifications_items' as never)
      .values({
        user_id: owner.id,
        id: notificationId,
        event_id: randomUUID(),
        kind: 'love-note.received',
        category: 'love-notes',
        priority: 'normal',
        title: 'A love note',
        body: 'Someone sent you a note',
      } as never)
      .execute();
    await db
      .insertInto('notifications_deliveries' as never)
      .values({
        user_id: owner.id,
        id: deliveryId,
        notification_id: notificationId,
        channel: 'email',
        status: 'failed',
        attempts: 3,
        last_error: 'SMTP refused the connection',
      } as never)
      .execute();
    return deliveryId;
  }

  async freshPushSubscription(owner = this.owner): Promise<string> {
    const sub = await this.must<{ id: string }>(owner, 'POST', '/v1/notifications/push-subscriptions', {
      endpoint: `https://push.example.test/send/${randomUUID()}`,
      keys: this.pushKeys(),
    });
    return sub.id;
  }

  async png(size = 64): Promise<Buffer> {
    return sharp({ create: { width: size, height: size, channels: 3, background: '#e25' } })
      .png()
      .toBuffer();
  }

  /** A multipart/form-data body with one file field. */
  multipart(body: Buffer, filename: string, type: string) {
    const boundary = `fuzz${randomBytes(8).toString('hex')}`;
    const payload = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`,
      ),
      body,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
  }

  /** A user with TOTP switched on through the API, and the secret to compute codes. */
  async mfaUser(): Promise<{ actor: Actor; code(step?: number): string }> {
    const actor = await this.user('mfa');
    const setup = await this.must<{ secret: string }>(actor, 'POST', '/v1/auth/mfa/totp/setup');
    const key = Buffer.from(Secret.fromBase32(setup.secret).bytes);
    const code = (step = 0) => referenceTotp(key, Date.now() / 1000 + step * 30);
    await this.must(actor, 'POST', '/v1/auth/mfa/totp/enable', { code: code() });
    return { actor, code };
  }

  /** The token of the mail `subject` sent to `to` (the file mail transport writes it after the answer). */
  async mailToken(to: string, subject: RegExp): Promise<string> {
    return tokenIn(await waitForMail(this.t.platform.config.dataDir, to, subject));
  }

  async recurringNote(sender = this.owner): Promise<string> {
    const note = await this.must<{ id: string }>(sender, 'POST', '/v1/love-notes', {
      body: 'Every day',
      scheduledAt: localAhead(5),
      timeZone: 'Europe/Paris',
      recurrence: 'FREQ=DAILY;COUNT=5',
    });
    await this.keepWaiting(sender, note.id);
    return note.id;
  }

  /** A sandbox checkout session opened by `buyer`. */
  async checkout(buyer = this.owner): Promise<string> {
    const session = await this.must<{ sessionId: string }>(buyer, 'POST', '/v1/billing/checkout', {
      planId: 'premium-monthly',
    });
    return session.sessionId;
  }

  freshDeadLetter: () => Promise<string> = async () => {
    throw new Error('set by setup');
  };

  /** A user with a password who linked an OpenID identity (email verified first, as linking needs). */
  async oidcLinkedUser(): Promise<{ actor: Actor; identityId: string }> {
    if (!this.oidc) throw new Error('no OpenID provider');
    const actor = await this.user('oidc');
    const token = await this.mailToken(actor.email, /Confirm your email/);
    await this.must(undefined, 'POST', '/v1/auth/email/verify', { token });
    const account = `link-${randomBytes(4).toString('hex')}`;
    this.oidc.accounts.set(account, { email: actor.email, emailVerified: true });
    const start = await this.anon({ url: `/v1/auth/oauth/${OIDC_PROVIDER}/start` });
    const state = String(start.cookies.find((c) => c.name === 'o2o_oauth_state')?.value ?? '');
    const callback = await this.oidc.authorize(String(start.headers.location), account);
    const done = await this.anon({
      url: `${callback.pathname}${callback.search}`,
      cookies: { o2o_oauth_state: state },
    });
    if (done.statusCode !== 302) throw new Error(`oauth callback → ${done.statusCode} ${done.body}`);
    const identities = await this.must<Array<{ id: string }>>(actor, 'GET', '/v1/auth/identities');
    return { actor, identityId: identities[0]!.id };
  }

  twilioAuthToken = '';
  /** A status callback signed as Twilio signs it (HMAC-SHA1 of the public URL and the sorted form). */
  async twilioCallback() {
    const form: Record<string, string> = {
      MessageSid: `SM${randomBytes(16).toString('hex')}`,
      MessageStatus: 'delivered',
    };
    const url = `${this.t.platform.config.publicUrl}/v1/notifications/webhooks/twilio`;
    const signature = createHmac('sha1', this.twilioAuthToken)
      .update(
        url +
          Object.keys(form)
            .sort()
            .map((k) => k + form[k])
            .join(''),
      )
      .digest('base64');
    return {
      raw: {
        payload: new URLSearchParams(form).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      },
    };
  }

  /**
   * A user an admin suspended, holding the access token issued before: auth
   * ends its sessions when the suspension reaches it over the bus (the
   * workers must run), after which live-session routes answer 401.
   */
  async suspendedUser(): Promise<Actor> {
    const actor = await this.user('suspended');
    await this.must(actor, 'GET', '/v1/users/me');
    await this.must(this.admin, 'POST', `/v1/admin/users/${actor.id}/suspend`, { reason: 'fuzz' });
    const deadline = Date.now() + 20_000;
    for (;;) {
      const res = await this.send(actor, {
        method: 'POST',
        url: '/v1/auth/reauthenticate',
        payload: { password: actor.password },
      });
      if (res.statusCode === 401) return actor;
      if (Date.now() > deadline) throw new Error('the suspension never reached auth');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Turns a throwaway user into one of the matrix's kinds, keeping what its recipe prepared. */
  async become(actor: Actor, kind: 'ex' | 'suspended' | 'editor' | 'admin'): Promise<Actor> {
    if (kind === 'ex') {
      await this.send(actor, { method: 'DELETE', url: '/v1/couples/me' });
      return actor;
    }
    if (kind === 'suspended') {
      await this.must(actor, 'GET', '/v1/users/me');
      await this.must(this.admin, 'POST', `/v1/admin/users/${actor.id}/suspend`, { reason: 'matrix' });
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        const res = await this.send(actor, { method: 'GET', url: '/v1/auth/sessions' });
        if (res.statusCode === 401) return actor;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error('the suspension never reached auth');
    }
    await this.t.platform.database.db
      .updateTable('auth_accounts' as never)
      .set({ role: kind } as never)
      .where('id' as never, '=', actor.id as never)
      .execute();
    return this.login(actor);
  }

  /** Plain bodies where generated ones may be refused for what they say (the matrix compares callers). */
  plain = false;

  async freshFeedToken(owner = this.owner): Promise<string> {
    const feed = await this.must<{ url: string }>(owner, 'POST', '/v1/calendar/feed');
    return String(new URL(feed.url).pathname.split('/').pop());
  }

  mediaId = '';
  mediaFile = '';
  mediaHash = '';
  videoHash = '';
  filePath = '';

  daysAhead = daysAhead;
}
