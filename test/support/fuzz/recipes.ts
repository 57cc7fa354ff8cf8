import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { hlsPrefix } from '../../../src/modules/content/video.ts';
import { unsubscribeToken } from '../../../src/modules/notifications/email.ts';
import { PASSWORD } from '../auth.ts';
import { type Actor, localAhead, NEW_PASSWORD, OIDC_PROVIDER, type World } from './world.ts';

/**
 * What the schema cannot know: which ids exist, which tokens are real, which
 * requests use their resource up. A recipe returns the fixed parts of one
 * valid request for an operation; the fuzzer generates the rest from the
 * schema. `who` is the identity the request is sent as: a recipe builds the
 * owner's resource, so the partner and the stranger ask for someone else's.
 */
export type Who = 'anon' | 'owner' | 'partner' | 'stranger';

export interface Fixed {
  path?: Record<string, string>;
  query?: Record<string, unknown>;
  /** Send `query` as it is, without generated optional parameters. */
  exactQuery?: boolean;
  /** Body fields laid over the generated body; `undefined` removes a field. */
  body?: Record<string, unknown>;
  /** The whole body, as is (not generated). */
  exactBody?: unknown;
  /** A non-JSON body with its headers (multipart, form). */
  raw?: { payload: string | Buffer; headers: Record<string, string> };
  headers?: Record<string, string>;
  cookies?: Record<string, string>;
  /** Send as this actor instead of the identity's default (throwaway users for destructive calls). */
  actor?: Actor | null;
}

export type Recipe = (w: World, who: Who) => Promise<Fixed>;

/**
 * For calls that change who someone is (sign out, delete, change password):
 * the owner and the partner of a throwaway couple, or a throwaway stranger,
 * so the world's own actors survive.
 */
async function throwaway(w: World, who: Who): Promise<Actor | undefined> {
  if (who === 'anon') return undefined;
  const [a, b] = await w.couple('tmp');
  return who === 'partner' ? b : a;
}

const uniqueHandle = () => `fz_${randomBytes(5).toString('hex')}`;

export const RECIPES: Record<string, Recipe> = {
  'POST /v1/auth/register': async () => ({
    body: {
      email: `fz.${randomBytes(5).toString('hex')}@example.test`,
      password: PASSWORD,
      acceptTerms: true,
      botCheck: undefined,
    },
  }),
  'POST /v1/auth/login': async (w, who) => {
    const actor = who === 'partner' ? w.partner : who === 'stranger' ? w.stranger : w.owner;
    return { body: { email: actor.email, password: PASSWORD } };
  },
  'POST /v1/auth/refresh': async (w, who) => {
    const actor = await throwaway(w, who);
    return { body: { refreshToken: actor?.refreshToken ?? randomBytes(16).toString('hex') }, actor: null };
  },
  'POST /v1/auth/logout': async (w, who) => ({ actor: await throwaway(w, who), body: {} }),
  'POST /v1/auth/logout-all': async (w, who) => ({ actor: await throwaway(w, who), body: {} }),
  'DELETE /v1/auth/sessions/{id}': async (w, who) => {
    // A throwaway user signed in twice: the second session ends the first. Never one of the
    // owner's: ending a fixture's session revokes its token on every later request.
    const first = await w.user('sessions');
    const second = await w.login(first);
    const sessions = await w.must<Array<{ id: string; current: boolean }>>(
      second,
      'GET',
      '/v1/auth/sessions',
    );
    const other = sessions.find((s) => !s.current);
    return { path: { id: other?.id ?? randomUUID() }, actor: who === 'owner' ? second : undefined };
  },
  // Mail tokens cost a wait for the mail: the owner's request carries a real one, the others a made-up one.
  'POST /v1/auth/email/verify': async (w, who) => {
    if (who !== 'owner') return {};
    const actor = await w.user('verify');
    return { body: { token: await w.mailToken(actor.email, /Confirm your email/) } };
  },
  'POST /v1/auth/email/resend': async (w, who) => ({ actor: await throwaway(w, who) }),
  'POST /v1/auth/password/forgot': async (w) => ({ body: { email: w.owner.email } }),
  'POST /v1/auth/password/reset': async (w, who) => {
    if (who !== 'owner') return { body: { password: NEW_PASSWORD } };
    const actor = await w.user('reset');
    await w.must(undefined, 'POST', '/v1/auth/password/forgot', { email: actor.email });
    return { body: { token: await w.mailToken(actor.email, /[Rr]eset/), password: NEW_PASSWORD } };
  },
  'POST /v1/auth/password/change': async (w, who) => ({
    actor: await throwaway(w, who),
    body: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
  }),
  'POST /v1/auth/reauthenticate': async () => ({ body: { password: PASSWORD } }),
  // The audit log is the admin's.
  'GET /v1/auth/audit-log': async (w, who) => ({
    actor: who === 'owner' ? w.admin : undefined,
    query: { userId: undefined, cursor: undefined },
  }),
  'POST /v1/auth/mfa/challenge': async (w, who) => {
    if (who !== 'owner') return {};
    const { actor, code } = await w.mfaUser();
    const login = await actor.call({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: actor.email, password: PASSWORD },
    });
    return { exactBody: { mfaToken: login.json().data.mfaToken, code: code(1) } };
  },
  'POST /v1/auth/mfa/totp/setup': async (w, who) => ({ actor: await throwaway(w, who) }),
  'POST /v1/auth/mfa/totp/enable': async (w, who) => {
    const actor = await throwaway(w, who);
    if (!actor) return { body: { code: '123456' } };
    const setup = await w.must<{ secret: string }>(actor, 'POST', '/v1/auth/mfa/totp/setup');
    const { Secret } = await import('otpauth');
    const { referenceTotp } = await import('../totp.ts');
    const key = Buffer.from(Secret.fromBase32(setup.secret).bytes);
    return { actor, body: { code: referenceTotp(key, Date.now() / 1000) } };
  },
  'POST /v1/auth/mfa/totp/disable': async (w, who) => {
    if (who !== 'owner') return { exactBody: { password: PASSWORD } };
    const { actor } = await w.mfaUser();
    return { actor, exactBody: { password: PASSWORD } };
  },
  'POST /v1/auth/mfa/recovery-codes': async (w, who) => {
    if (who !== 'owner') return {};
    const { actor } = await w.mfaUser();
    return { actor };
  },
  'GET /v1/auth/oauth/{provider}/start': async () => ({ path: { provider: OIDC_PROVIDER } }),
  'GET /v1/auth/oauth/{provider}/callback': async (w, who) => {
    if (!w.oidc || who !== 'owner') return { path: { provider: OIDC_PROVIDER } };
    const start = await w.anon({ url: `/v1/auth/oauth/${OIDC_PROVIDER}/start` });
    const state = String(start.cookies.find((c) => c.name === 'o2o_oauth_state')?.value ?? '');
    const account = `acct-${randomBytes(4).toString('hex')}`;
    w.oidc.accounts.set(account, {
      email: `oidc.${account}@example.test`,
      emailVerified: true,
      name: 'Oidc',
    });
    const callback = await w.oidc.authorize(String(start.headers.location), account);
    return {
      path: { provider: OIDC_PROVIDER },
      query: Object.fromEntries(callback.searchParams),
      exactQuery: true,
      cookies: { o2o_oauth_state: state },
    };
  },
  'DELETE /v1/auth/identities/{id}': async (w, who) => {
    if (who !== 'owner' || !w.oidc) return { path: { id: w.identityId || randomUUID() } };
    const linked = await w.oidcLinkedUser();
    return { actor: linked.actor, path: { id: linked.identityId } };
  },
  'PATCH /v1/users/me': async () => ({ body: { handle: uniqueHandle() } }),
  'DELETE /v1/users/me': async (w, who) => ({
    actor: await throwaway(w, who),
    exactBody: { password: PASSWORD },
  }),
  'PUT /v1/users/me/avatar': async (w) => ({ raw: w.multipart(await w.png(), 'me.png', 'image/png') }),
  'DELETE /v1/users/me/avatar': async (w, who) => {
    if (who === 'owner') {
      const actor = await w.user('avatar');
      const form = w.multipart(await w.png(), 'me.png', 'image/png');
      await w.send(actor, { method: 'PUT', url: '/v1/users/me/avatar', ...form });
      return { actor };
    }
    return {};
  },
  'GET /v1/users/search': async () => ({ query: { q: 'Fuzz', cursor: undefined } }),
  'GET /v1/users/{id}': async (w) => ({ path: { id: w.owner.id } }),
  'PUT /v1/users/{id}': async (w, who) => ({
    path: { id: who === 'partner' ? w.partner.id : who === 'stranger' ? w.stranger.id : w.owner.id },
    body: { handle: uniqueHandle() },
  }),
  'POST /v1/users/me/consents': async () => ({
    exactBody: { type: 'marketing', version: '2026-01-01', granted: true },
  }),
  'PATCH /v1/notifications/preferences': async (w, who) =>
    who === 'owner' && !w.plain ? {} : { exactBody: { 'love-notes': { email: false, in_app: true } } },
  'GET /v1/users/me/export/{id}': async (w) => ({ path: { id: w.exportId } }),
  'POST /v1/users/me/export': async (w, who) => ({ actor: await throwaway(w, who) }),
  'POST /v1/couples/invites': async (w, who) => {
    if (who !== 'owner') return {};
    return { actor: await w.user('inviter') };
  },
  'GET /v1/couples/invites/{code}': async (w) => ({
    path: { code: await w.freshInvite(await w.user('inviter')) },
  }),
  'DELETE /v1/couples/invites/{code}': async (w, who) => {
    const inviter = await w.user('revoker');
    return { actor: who === 'owner' ? inviter : undefined, path: { code: await w.freshInvite(inviter) } };
  },
  'POST /v1/couples/invites/{code}/accept': async (w, who) => {
    const inviter = await w.user('inviter');
    return {
      actor: who === 'owner' ? await w.user('accepter') : undefined,
      path: { code: await w.freshInvite(inviter) },
    };
  },
  'POST /v1/couples/invites/{code}/decline': async (w, who) => {
    const inviter = await w.user('inviter');
    return {
      actor: who === 'owner' ? await w.user('decliner') : undefined,
      path: { code: await w.freshInvite(inviter) },
    };
  },
  'DELETE /v1/couples/me': async (w, who) => ({ actor: await throwaway(w, who) }),
  'PATCH /v1/couples/me': async () => ({
    body: { relationshipStart: '2020-02-02', anniversary: '2020-02-14' },
  }),
  'GET /v1/notifications': async () => ({ query: { cursor: undefined } }),
  'POST /v1/notifications/{id}/read': async (w) => ({ path: { id: w.notificationIds[0] ?? randomUUID() } }),
  // The pool's first notification stays for reading; the owner's delete uses one of the others up.
  'DELETE /v1/notifications/{id}': async (w, who) => ({
    path: {
      id:
        (w.notificationIds.length > 1 && who === 'owner' ? w.notificationIds.pop() : w.notificationIds[1]) ??
        randomUUID(),
    },
  }),
  'GET /v1/notifications/{id}/deliveries': async (w) => ({
    path: { id: w.notificationIds[0] ?? randomUUID() },
  }),
  'POST /v1/notifications/push-subscriptions': async (w) => ({
    body: { endpoint: `https://push.example.test/send/${randomUUID()}`, keys: w.pushKeys() },
  }),
  'DELETE /v1/notifications/push-subscriptions/{id}': async (w) => ({
    path: { id: await w.freshPushSubscription() },
  }),
  'POST /v1/notifications/devices': async () => ({ body: { token: randomBytes(32).toString('hex') } }),
  'DELETE /v1/notifications/devices': async (w, who) => {
    const token = randomBytes(32).toString('hex');
    await w.must(w.owner, 'POST', '/v1/notifications/devices', { platform: 'ios', token });
    return { exactBody: { platform: 'ios', token }, actor: who === 'owner' ? w.owner : undefined };
  },
  'GET /v1/notifications/unsubscribe': async (w) => ({
    query: { token: unsubscribeToken(w.t.platform.encryption, w.owner.id, 'love-notes') },
  }),
  'POST /v1/notifications/unsubscribe': async (w) => ({
    query: { token: unsubscribeToken(w.t.platform.encryption, w.owner.id, 'coach') },
  }),
  'POST /v1/notifications/webhooks/twilio': async (w) => w.twilioCallback(),
  'GET /v1/admin/notifications/failures': async () => ({ query: { cursor: undefined } }),
  'POST /v1/admin/notifications/failures/{id}/retry': async (w) => ({
    path: { id: await w.freshFailedDelivery() },
  }),
  // The partner's request is a plain one (2xx for the coverage); the others are generated from the schema.
  'POST /v1/love-notes': async (w, who) =>
    who === 'partner' || w.plain
      ? { exactBody: { body: 'Thinking of you', scheduledAt: localAhead(3), timeZone: 'Europe/Paris' } }
      : { body: { templateId: undefined, variables: undefined, recurrence: undefined } },
  'GET /v1/love-notes': async () => ({
    query: { cursor: undefined, coupleId: undefined, from: undefined, to: undefined },
  }),
  'PATCH /v1/love-notes/templates/{id}': async (w) => ({ path: { id: w.templateId } }),
  'DELETE /v1/love-notes/templates/{id}': async (w) => ({ path: { id: await w.freshTemplate() } }),
  'GET /v1/love-notes/{id}': async (w) => ({ path: { id: w.noteId } }),
  'PATCH /v1/love-notes/{id}': async (w) => ({
    path: { id: await w.freshNote() },
    body: { scheduledAt: localAhead(20), timeZone: 'Europe/Paris', recurrence: undefined },
  }),
  'DELETE /v1/love-notes/{id}': async (w) => ({ path: { id: await w.freshNote() } }),
  'POST /v1/love-notes/{id}/pause': async (w) => ({ path: { id: await w.recurringNote() } }),
  'POST /v1/love-notes/{id}/resume': async (w) => {
    const id = await w.recurringNote();
    await w.must(w.owner, 'POST', `/v1/love-notes/${id}/pause`);
    return { path: { id } };
  },
  // The recipient reads, reacts and favourites: the partner, for a note the owner sent.
  'POST /v1/love-notes/{id}/read': async (w) => ({ path: { id: await w.sentNote(w.partner) } }),
  'POST /v1/love-notes/{id}/reactions': async (w) => ({ path: { id: await w.sentNote(w.partner) } }),
  'DELETE /v1/love-notes/{id}/reactions/{emoji}': async (w) => {
    const id = await w.sentNote(w.partner);
    await w.must(w.owner, 'POST', `/v1/love-notes/${id}/reactions`, { emoji: '🙂' });
    return { path: { id, emoji: encodeURIComponent('🙂') } };
  },
  'POST /v1/love-notes/{id}/favorite': async (w) => ({ path: { id: await w.sentNote(w.partner) } }),
  'DELETE /v1/love-notes/{id}/favorite': async (w) => {
    const id = await w.sentNote(w.partner);
    await w.must(w.owner, 'POST', `/v1/love-notes/${id}/favorite`);
    return { path: { id } };
  },
  'GET /v1/love-notes/{id}/deliveries': async (w) => ({ path: { id: w.noteId } }),
  'POST /v1/billing/checkout': async (w, who) => ({
    actor: who === 'owner' ? await w.user('buyer') : undefined,
    exactBody: { planId: 'premium-monthly' },
  }),
  'GET /v1/billing/invoices': async () => ({ query: { cursor: undefined } }),
  'GET /v1/billing/invoices/{id}.pdf': async (w) => ({ path: { id: w.invoiceId } }),
  'GET /v1/billing/sandbox/checkout/{sessionId}': async (w) => ({
    path: { sessionId: await w.checkout(await w.user('buyer')) },
  }),
  'POST /v1/billing/sandbox/checkout/{sessionId}/complete': async (w) => ({
    path: { sessionId: await w.checkout((await w.couple('buyer'))[0]) },
  }),
  'POST /v1/billing/sandbox/checkout/{sessionId}/fail': async (w) => ({
    path: { sessionId: await w.checkout((await w.couple('buyer'))[0]) },
  }),
  'GET /v1/admin/content': async () => ({ query: { cursor: undefined } }),
  'POST /v1/admin/content': async () => ({
    body: {
      slug: `fz-${randomBytes(5).toString('hex')}`,
      type: 'article',
      show: undefined,
      audioMediaId: undefined,
      authorIds: undefined,
      coverImage: undefined,
    },
  }),
  'GET /v1/admin/content/{id}': async (w) => ({ path: { id: w.content.id } }),
  'PATCH /v1/admin/content/{id}': async (w) => ({
    path: { id: (await w.freshContent()).id },
    body: {
      slug: undefined,
      audioMediaId: undefined,
      authorIds: undefined,
      coverImage: undefined,
      durationSeconds: undefined,
      episodeNumber: undefined,
    },
  }),
  'DELETE /v1/admin/content/{id}': async (w) => ({ path: { id: (await w.freshContent()).id } }),
  'GET /v1/admin/content/{id}/revisions': async (w) => ({ path: { id: w.content.id } }),
  'POST /v1/admin/content/{id}/schedule': async (w) => ({
    path: { id: (await w.freshContent()).id },
    exactBody: { publishAt: w.daysAhead(3) },
  }),
  'POST /v1/admin/content/{id}/publish': async (w) => ({ path: { id: (await w.freshContent()).id } }),
  'POST /v1/admin/content/{id}/archive': async (w) => {
    const { id } = await w.freshContent();
    await w.must(w.editor, 'POST', `/v1/admin/content/${id}/publish`);
    return { path: { id } };
  },
  'POST /v1/admin/content/shows': async (w) => ({
    body: { imageMediaId: w.mediaId, slug: `show-${randomBytes(4).toString('hex')}`, language: 'en' },
  }),
  'POST /v1/admin/content/authors': async () => ({ body: { userId: undefined } }),
  'POST /v1/admin/content/media': async (w) => ({
    raw: w.multipart(await w.png(), 'cover.png', 'image/png'),
  }),
  'GET /v1/content/media/{file}': async (w) => ({ path: { file: w.mediaFile } }),
  'GET /v1/content/media/{hash}/{variant}': async (w) => ({
    path: { hash: w.mediaHash, variant: 'thumb.webp' },
  }),
  'GET /v1/content/media/{hash}/hls/{path}': async (w) => ({
    path: { hash: w.videoHash, path: 'master.m3u8' },
  }),
  'GET /v1/content': async () => ({ query: { cursor: undefined, q: undefined, tag: undefined } }),
  'GET /v1/content/{slug}': async (w) => ({ path: { slug: w.content.slug } }),
  'GET /v1/content/podcasts/{show}/feed.xml': async (w) => ({ path: { show: w.showSlug } }),
  'GET /v1/coach/conversations': async () => ({ query: { cursor: undefined } }),
  'GET /v1/coach/conversations/{id}/messages': async (w) => ({
    path: { id: w.conversationId },
    query: { cursor: undefined },
  }),
  'POST /v1/coach/conversations/{id}/messages': async (w) => ({
    path: { id: await w.freshConversation() },
    exactBody: { content: 'How can we plan a calm weekend together?' },
  }),
  'DELETE /v1/coach/conversations/{id}': async (w) => ({ path: { id: await w.freshConversation() } }),
  'GET /v1/calendar': async () => ({ query: { month: 6, year: 2027, timeZone: 'Europe/Paris' } }),
  'POST /v1/calendar/events': async () => ({
    body: {
      start: localAhead(12),
      end: localAhead(12.1),
      allDay: false,
      recurrence: undefined,
      surprise: false,
      revealAt: undefined,
      reminders: [30],
      timeZone: 'Europe/Paris',
    },
  }),
  'GET /v1/calendar/events': async () => ({ query: { cursor: undefined } }),
  'GET /v1/calendar/events/{id}': async (w) => ({ path: { id: w.eventId } }),
  'PATCH /v1/calendar/events/{id}': async (w) => ({
    path: { id: await w.freshEvent() },
    body: {
      start: undefined,
      end: undefined,
      allDay: undefined,
      recurrence: undefined,
      surprise: undefined,
      revealAt: undefined,
      reminders: undefined,
      timeZone: undefined,
    },
  }),
  'DELETE /v1/calendar/events/{id}': async (w) => ({ path: { id: await w.freshEvent() } }),
  // A new feed URL replaces the old one: ask for the current one first.
  'GET /v1/calendar/feed/{token}': async (w) => ({ path: { token: await w.freshFeedToken() } }),
  'GET /v1/questions/history': async () => ({ query: { cursor: undefined } }),
  'POST /v1/questions/today/answer': async (w, who) => {
    if (who === 'stranger' || who === 'anon') return {};
    const [a, b] = await w.couple('answer');
    return { actor: who === 'owner' ? a : b };
  },
  'POST /v1/questions/quiz/today/guess': async (w, who) => {
    if (who === 'stranger' || who === 'anon') return {};
    const [a, b] = await w.couple('guess');
    return { actor: who === 'owner' ? a : b };
  },
  'POST /v1/questions/quiz/judge': async (w, who) => {
    if (who === 'stranger' || who === 'anon') return { body: { day: new Date().toISOString().slice(0, 10) } };
    const [a, b] = await w.couple('judge');
    await w.must(a, 'POST', '/v1/questions/quiz/today/guess', { guess: 'Pizza' });
    await w.must(b, 'POST', '/v1/questions/today/answer', { answer: 'Pizza' });
    const { day } = await w.must<{ day: string }>(a, 'POST', '/v1/questions/today/answer', {
      answer: 'Sushi',
    });
    return { actor: who === 'owner' ? b : a, body: { day } };
  },
  'POST /v1/analytics/events': async () => ({
    body: { event: 'screen_view', timestamp: undefined, properties: {} },
  }),
  'POST /v1/analytics/batch': async () => ({
    exactBody: { events: [{ id: randomUUID(), event: 'screen_view', properties: { screen: 'home' } }] },
  }),
  'GET /v1/admin/dead-letters': async () => ({ query: { cursor: undefined, group: undefined } }),
  'POST /v1/admin/dead-letters/{id}/replay': async (w) => ({ path: { id: await w.freshDeadLetter() } }),
  'DELETE /v1/admin/dead-letters/{id}': async (w) => ({ path: { id: await w.freshDeadLetter() } }),
  'GET /v1/admin/api-keys': async () => ({ query: { cursor: undefined } }),
  'POST /v1/admin/api-keys': async () => ({ body: { scopes: ['content:read'], expiresAt: undefined } }),
  'GET /v1/admin/api-keys/{id}': async (w) => ({ path: { id: w.apiKeyId } }),
  'DELETE /v1/admin/api-keys/{id}': async (w) => ({ path: { id: await w.freshApiKey() } }),
  'POST /v1/admin/api-keys/{id}/rotate': async (w) => ({ path: { id: await w.freshApiKey() } }),
  'GET /v1/admin/users': async () => ({ query: { cursor: undefined } }),
  'POST /v1/admin/users/{id}/suspend': async (w) => ({ path: { id: (await w.user('suspendme')).id } }),
  'POST /v1/admin/users/{id}/unsuspend': async (w) => {
    const victim = await w.user('unsuspendme');
    await w.must(w.admin, 'GET', `/v1/users/${victim.id}`).catch(() => undefined);
    await w.must(w.admin, 'POST', `/v1/admin/users/${victim.id}/suspend`, { reason: 'fuzz' });
    return { path: { id: victim.id } };
  },
  'GET /v1/admin/feature-flags': async () => ({ query: { cursor: undefined } }),
  'POST /v1/admin/feature-flags': async () => ({
    body: { key: `fuzz.${randomBytes(4).toString('hex')}`, allowUsers: undefined, denyUsers: undefined },
  }),
  'GET /v1/admin/feature-flags/{key}': async (w) => ({ path: { key: w.flagKey } }),
  'PUT /v1/admin/feature-flags/{key}': async (w) => ({
    path: { key: await w.freshFlag() },
    body: { allowUsers: undefined, denyUsers: undefined },
  }),
  'PATCH /v1/admin/feature-flags/{key}': async (w) => ({
    path: { key: await w.freshFlag() },
    body: { allowUsers: undefined, denyUsers: undefined },
  }),
  'DELETE /v1/admin/feature-flags/{key}': async (w) => ({ path: { key: await w.freshFlag() } }),
  'GET /v1/admin/feature-flags/{key}/history': async (w) => ({
    path: { key: w.flagKey },
    query: { cursor: undefined },
  }),
  'GET /v1/admin/analytics/active-users': async () => ({ query: { from: undefined, to: undefined } }),
  'GET /v1/admin/analytics/retention': async () => ({ query: { from: undefined, to: undefined } }),
  'GET /v1/admin/analytics/funnel': async () => ({
    query: { steps: 'screen_view,love_note_sent', from: undefined, to: undefined },
  }),
  'GET /v1/admin/analytics/events': async () => ({
    query: { from: undefined, to: undefined, event: undefined },
  }),
  'GET /v1/admin/analytics/live': async () => ({ query: { frames: 1 } }),
  'GET /v1/files/{path}': async (w) => ({
    path: { path: w.filePath },
    query: { expires: undefined, signature: undefined },
  }),
  'GET /v1/realtime/sse': async () => ({}),
};

/** Writes the dead letter the bus writes after a consumer's last attempt, for a real outbox event. */
export async function insertDeadLetter(w: World): Promise<string> {
  const db = w.t.platform.database.db;
  const { rows } = await sql<{
    id: string;
    type: string;
    version: number;
    occurred_at: Date;
    actor_id: string | null;
    couple_id: string | null;
    data: unknown;
  }>`select id, type, version, occurred_at, actor_id, couple_id, data from outbox_events
      where type = 'user.registered' order by position desc limit 1`.execute(db);
  const event = rows[0];
  if (!event) throw new Error('no user.registered event in the outbox');
  const envelope = {
    id: event.id,
    type: event.type,
    version: event.version,
    occurredAt: event.occurred_at.toISOString(),
    actorId: event.actor_id,
    coupleId: event.couple_id,
    data: event.data,
  };
  const id = randomUUID();
  await sql`insert into bus_dead_letters (id, group_name, event_id, event_type, event, attempts, last_error)
    values (${id}, 'analytics', ${event.id}, ${event.type}, ${JSON.stringify(envelope)}, 8, 'Error: fuzz')`.execute(
    db,
  );
  return id;
}

export { hlsPrefix };
