import { createHash, randomBytes } from 'node:crypto';
import { MODULES } from '../../../src/modules/index.ts';
import { startWorker } from '../../../src/platform/worker.ts';
import { createTestApp, type TestApp } from '../app.ts';
import { deleteStream, testStreamName } from '../bus.ts';
import { startOidcProvider, type TestOidcProvider } from '../oidc.ts';
import { hlsPrefix, insertDeadLetter } from './recipes.ts';
import { type Actor, localAhead, World } from './world.ts';

export const PUBLIC_URL = 'http://localhost:3000';
const TWILIO_AUTH_TOKEN = 'fuzz-twilio-auth-token';

export interface FuzzEnvironment {
  t: TestApp;
  world: World;
  /** Runs the module workers and the bus until stopped (notifications, suspension, exports). */
  startWorkers(): Promise<void>;
  stopWorkers(): Promise<void>;
  close(): Promise<void>;
}

async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`setup: ${what} did not happen in time`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The real app (every module, Twilio and an OpenID provider configured so
 * their routes are live) and a world of users and resources built through
 * the API, with the workers run while it is built.
 */
export async function fuzzEnvironment(): Promise<FuzzEnvironment> {
  const op: TestOidcProvider = await startOidcProvider(`${PUBLIC_URL}/v1/auth/oauth/acme/callback`);
  const stream = testStreamName();
  const t = await createTestApp({
    PUBLIC_URL,
    NATS_STREAM: stream,
    OAUTH_PROVIDERS: 'acme',
    OAUTH_ACME_ISSUER: op.issuer,
    OAUTH_ACME_CLIENT_ID: op.clientId,
    OAUTH_ACME_CLIENT_SECRET: op.clientSecret,
    TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000001',
    TWILIO_AUTH_TOKEN,
    TWILIO_FROM: '+15005550006',
    TWILIO_API_URL: 'http://127.0.0.1:1',
  });
  let stops: Array<() => Promise<void>> = [];
  const env: FuzzEnvironment = {
    t,
    world: new World(t),
    async startWorkers() {
      if (stops.length > 0) return;
      for (const module of MODULES) if (module.worker) stops.push(await module.worker(t.platform));
      stops.push(await startWorker(t.platform));
    },
    async stopWorkers() {
      for (const stop of stops.reverse()) await stop();
      stops = [];
    },
    async close() {
      await env.stopWorkers();
      await t.close();
      await op.close();
      await deleteStream(process.env.NATS_URL, stream);
    },
  };
  try {
    await env.startWorkers();
    await build(env.world, op);
  } catch (error) {
    await env.close().catch(() => {});
    throw error;
  }
  return env;
}

async function build(w: World, op: TestOidcProvider): Promise<void> {
  w.oidc = op;
  w.twilioAuthToken = TWILIO_AUTH_TOKEN;
  [w.owner, w.partner] = await Promise.all([w.user('owner'), w.user('partner')]);
  w.ex = await w.user('ex');
  // The owner's former partner: linked, then unlinked, before the owner links the partner.
  await w.link(w.owner, w.ex);
  await w.must(w.owner, 'DELETE', '/v1/couples/me');
  w.coupleId = await w.link(w.owner, w.partner);
  [w.stranger, w.strangerPartner] = await w.couple('stranger');
  [w.editor, w.admin] = await Promise.all([w.staff('editor'), w.staff('admin')]);
  w.noteId = await w.freshNote();
  w.templateId = await w.freshTemplate();
  w.eventId = await w.freshEvent();
  w.conversationId = await w.freshConversation();
  await w.must(w.owner, 'POST', '/v1/questions/today/answer', { answer: 'Breakfast together' });
  w.feedToken = String(
    new URL((await w.must<{ url: string }>(w.owner, 'POST', '/v1/calendar/feed')).url).pathname
      .split('/')
      .pop(),
  );

  // Content: a published article, an image in the media library, a show with its feed.
  w.content = await w.freshContent();
  await w.must(w.editor, 'POST', `/v1/admin/content/${w.content.id}/publish`);
  const media = await w.send(w.editor, {
    method: 'POST',
    url: '/v1/admin/content/media',
    ...w.multipart(await w.png(1400), 'cover.png', 'image/png'),
  });
  if (media.statusCode !== 201) throw new Error(`media upload → ${media.statusCode} ${media.body}`);
  const mediaData = media.json().data as { id: string; url: string };
  w.mediaId = mediaData.id;
  w.mediaFile = String(mediaData.url.split('/').pop());
  w.mediaHash = w.mediaFile.split('.')[0]!;
  w.showSlug = `fuzz-show-${randomBytes(3).toString('hex')}`;
  await w.must(w.editor, 'POST', '/v1/admin/content/shows', {
    slug: w.showSlug,
    title: 'Fuzz Show',
    description: 'A show',
    author: 'Fuzz',
    ownerName: 'Fuzz',
    ownerEmail: 'fuzz@example.test',
    language: 'en',
    category: 'Relationships',
    explicit: false,
    imageMediaId: w.mediaId,
  });
  // A packaged video's playlist, written where the video pipeline writes it (no encoder needed).
  w.videoHash = createHash('md5').update(randomBytes(8)).digest('hex');
  await w.t.platform.storage.put(
    `${hlsPrefix(w.videoHash)}master.m3u8`,
    Buffer.from('#EXTM3U\n#EXT-X-VERSION:3\n'),
    'application/vnd.apple.mpegurl',
  );

  const avatar = await w.send(w.owner, {
    method: 'PUT',
    url: '/v1/users/me/avatar',
    ...w.multipart(await w.png(), 'me.png', 'image/png'),
  });
  if (avatar.statusCode !== 200) throw new Error(`avatar → ${avatar.statusCode} ${avatar.body}`);
  const avatarUrl = JSON.stringify(avatar.json().data).match(/\/v1\/files\/([^"?]+)/);
  w.filePath = avatarUrl?.[1] ?? 'missing';

  w.apiKeyId = await w.freshApiKey();
  w.flagKey = await w.freshFlag();
  w.freshDeadLetter = () => insertDeadLetter(w);
  w.deadLetterId = await w.freshDeadLetter();
  w.pushSubscriptionId = await w.freshPushSubscription();

  // A paid checkout leaves an invoice; an export runs in the worker.
  const buyer = w.owner;
  const session = await w.checkout(buyer);
  await w.must(undefined, 'POST', `/v1/billing/sandbox/checkout/${session}/complete`);
  w.invoiceId = await waitUntil('an invoice', async () => {
    const invoices = await w.must<Array<{ id: string }>>(buyer, 'GET', '/v1/billing/invoices');
    return invoices[0]?.id;
  });
  w.exportId = (await w.must<{ id: string }>(w.owner, 'POST', '/v1/users/me/export')).id;

  // Notes sent now become notifications for their recipient (the notifications worker).
  for (let i = 0; i < 6; i++) await w.sentNote(w.partner);
  w.notificationIds = await waitUntil('notifications', async () => {
    const items = await w.must<Array<{ id: string }>>(w.owner, 'GET', '/v1/notifications?limit=50');
    return items.length >= 6 ? items.map((n) => n.id) : undefined;
  });

  // Suspended through the admin API; auth ends its sessions through the bus.
  w.suspended = await w.suspendedUser();
  void localAhead;
}

export type { Actor };
