import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { callerOf, requireAuth } from '../http/auth.ts';
import type { AuthUser } from '../http/auth-context.ts';
import { openEventStream, sseFrame } from '../http/event-stream.ts';
import type { Platform } from '../platform.ts';
import { compareEventIds, type LiveEvent, type LiveReplay, parseEventId } from './live-events.ts';
import type { LiveHub } from './live-hub.ts';

const AUTH_TIMEOUT_MS = 10_000;
const HEARTBEAT_MS = 25_000;

/**
 * Who a token belongs to, verified by the same request pipeline as REST: the
 * token goes to `/v1/realtime/whoami` as a bearer header in an in-process
 * request, so whatever verifies `Authorization` for the API verifies it here.
 */
async function verify(app: FastifyInstance, token: string): Promise<AuthUser | null> {
  const res = await app.inject({
    method: 'GET',
    url: '/v1/realtime/whoami',
    headers: { authorization: `Bearer ${token}` },
  });
  if (res.statusCode !== 200) return null;
  return res.json<{ data: AuthUser }>().data;
}

export interface RealtimeOptions {
  platform: Platform;
  hub: LiveHub;
  /** Every module's replay (AppModule.live), merged for a reconnecting client. */
  replays: LiveReplay[];
}

const MAX_REPLAY = 500;

/** What the client missed after `lastEventId`, across every module's live events, oldest first. */
async function missedSince(
  { platform, replays }: RealtimeOptions,
  userId: string,
  lastEventId: string | undefined,
): Promise<LiveEvent[]> {
  const since = parseEventId(lastEventId);
  if (!since) return [];
  const missed = (await Promise.all(replays.map((replay) => replay(platform, userId, since)))).flat();
  return missed.sort((a, b) => compareEventIds(a.id, b.id)).slice(0, MAX_REPLAY);
}

/** Replays what the client missed, then streams live messages until `close`. */
async function stream(
  options: RealtimeOptions,
  user: AuthUser,
  lastEventId: string | undefined,
  send: (event: LiveEvent) => void,
): Promise<() => void> {
  // Subscribe first and buffer, so nothing falls between the replay and the live feed.
  const buffered: LiveEvent[] = [];
  let live = false;
  const seen = new Set<string>();
  const deliver = (event: LiveEvent) => {
    if (seen.has(event.id)) return;
    seen.add(event.id);
    if (seen.size > 1000) seen.clear();
    send(event);
  };
  const unsubscribe = options.hub.subscribe(user.id, (event) =>
    live ? deliver(event) : buffered.push(event),
  );
  for (const event of await missedSince(options, user.id, lastEventId)) deliver(event);
  for (const event of buffered) deliver(event);
  live = true;
  return unsubscribe;
}

/**
 * The platform's one realtime endpoint, in every API process whatever
 * MODULES says: any module's live events (LiveEventMap) reach the user's
 * connections through the hub, and a reconnect resumes across all of them.
 *
 * GET /v1/realtime (WebSocket): the first message is
 * `{"type":"auth","token":"…","lastEventId"?:"…"}` (tokens never travel in
 * URLs), answered by `{"type":"ready"}`; then `{ type, id, data }` messages.
 * GET /v1/realtime/sse is the fallback (Authorization header or the web
 * session's `o2o_access` cookie; `Last-Event-ID`).
 */
export const realtimeRoutes: FastifyPluginAsyncTypebox<RealtimeOptions> = async (app, options) => {
  await app.register(websocket, { options: { maxPayload: 16 * 1024 } });

  app.get('/realtime/whoami', { onRequest: requireAuth, schema: { hide: true } }, async (request) =>
    callerOf(request),
  );

  app.get(
    '/realtime',
    // Long-lived: a connection must not hold one of the process's request slots.
    {
      websocket: true,
      config: { concurrencyLimit: false },
      schema: { tags: ['realtime'], summary: 'Live events over WebSocket' },
    },
    (socket: WebSocket) => {
      let stop: (() => void) | undefined;
      const close = (code: number, reason: string) => socket.close(code, reason);
      const timer = setTimeout(() => close(4401, 'authenticate first'), AUTH_TIMEOUT_MS);
      socket.once('message', async (raw) => {
        clearTimeout(timer);
        let message: { type?: unknown; token?: unknown; lastEventId?: unknown };
        try {
          message = JSON.parse(String(raw));
        } catch {
          return close(4400, 'the first message must be JSON');
        }
        if (message.type !== 'auth' || typeof message.token !== 'string' || message.token.length > 4096) {
          return close(4400, 'the first message must be {"type":"auth","token":"…"}');
        }
        const user = await verify(app, message.token).catch(() => null);
        if (!user) return close(4401, 'invalid or expired token');
        if (socket.readyState !== socket.OPEN) return;
        socket.send(JSON.stringify({ type: 'ready' }));
        const lastEventId = typeof message.lastEventId === 'string' ? message.lastEventId : undefined;
        stop = await stream(options, user, lastEventId, (event) => socket.send(JSON.stringify(event)));
        if (socket.readyState !== socket.OPEN) stop();
      });
      const heartbeat = setInterval(() => socket.ping(), HEARTBEAT_MS);
      socket.on('close', () => {
        clearTimeout(timer);
        clearInterval(heartbeat);
        stop?.();
      });
    },
  );

  app.get(
    '/realtime/sse',
    {
      // An EventSource cannot send a header: the web session's access cookie works here too.
      config: { concurrencyLimit: false, accessCookie: true },
      onRequest: requireAuth,
      schema: { tags: ['realtime'], summary: 'Live events as server-sent events (fallback)' },
    },
    async (request, reply) => {
      const header = request.headers['last-event-id'];
      // No querystring schema (it is not in the OpenAPI document): check the shape here.
      const { query } = request;
      const fromQuery =
        typeof query === 'object' && query !== null && 'lastEventId' in query ? query.lastEventId : undefined;
      const lastEventId =
        typeof header === 'string' ? header : typeof fromQuery === 'string' ? fromQuery : undefined;
      const raw = openEventStream(request, reply);
      raw.write(': ready\n\n');
      const stop = await stream(options, callerOf(request), lastEventId, (event) =>
        raw.write(sseFrame(event.type, event.data, event.id)),
      );
      const heartbeat = setInterval(() => raw.write(': ping\n\n'), HEARTBEAT_MS);
      request.raw.on('close', () => {
        clearInterval(heartbeat);
        stop();
      });
    },
  );
};
