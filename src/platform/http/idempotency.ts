import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type Kysely, sql } from 'kysely';
import { AppError, conflict, validationError } from './errors.ts';
import { IDEMPOTENCY_TTL_HOURS } from './idempotency-prune.ts';
import { routeOf } from './route-of.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route accepts `Idempotency-Key` (creating POSTs). */
    idempotent?: boolean;
  }
  interface FastifyRequest {
    idempotency?: { scope: string; key: string };
  }
}

function toArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

const KEY = /^[\x21-\x7e]{1,255}$/;
const REPLAYED = 'idempotent-replayed';

/** Keys are scoped by caller and route, so two users (or two routes) never share one. */
function scopeOf(request: FastifyRequest): string {
  const caller = request.user ? `user:${request.user.id}` : `ip:${request.ip}`;
  return `${caller}|${request.method} ${routeOf(request).url}`;
}

function hashOf(request: FastifyRequest): string {
  return createHash('sha256')
    .update(JSON.stringify(request.body ?? null))
    .digest('base64url');
}

/**
 * `Idempotency-Key` for creating POSTs (draft-ietf-httpapi-idempotency-key-header):
 * the first request with a key runs and its answer (status and body, unless
 * a 5xx) is stored; a retry with the same key and body gets that answer
 * again with `Idempotent-Replayed: true`; the same key with another body is a
 * 422, and a retry while the first is still running a 409.
 *
 * The answer is recorded after the handler, not in its transaction. A crash
 * between the handler's commit and that record leaves the key claimed without
 * an answer: retries get 409 "still in progress" until the key expires
 * (IDEMPOTENCY_TTL_HOURS), never a second run within that time; after it, a
 * retry runs anew. Handlers whose effects must never repeat keep their own
 * unique constraint as well.
 */
export const idempotency = fp(
  // biome-ignore lint/suspicious/noExplicitAny: the platform table is not part of any module's types
  async (app: FastifyInstance, opts: { db: Kysely<any>; ttlHours?: number }) => {
    const ttlHours = opts.ttlHours ?? IDEMPOTENCY_TTL_HOURS;
    const { db } = opts;

    async function replayOrClaim(request: FastifyRequest, reply: FastifyReply) {
      const key = request.headers['idempotency-key'];
      if (key === undefined) return;
      if (typeof key !== 'string' || !KEY.test(key)) {
        throw validationError('Idempotency-Key must be 1-255 visible ASCII characters', 'Idempotency-Key');
      }
      const scope = scopeOf(request);
      const requestHash = hashOf(request);
      const inserted = await db
        .insertInto('idempotency_keys')
        .values({ scope, key, request_hash: requestHash })
        .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
        .returning('key')
        .executeTakeFirst();
      if (inserted) {
        request.idempotency = { scope, key };
        return;
      }
      const existing = await db
        .selectFrom('idempotency_keys')
        .select(['request_hash', 'status_code', 'response', 'created_at'])
        .where('scope', '=', scope)
        .where('key', '=', key)
        .executeTakeFirst();
      if (!existing) throw conflict('The request with this Idempotency-Key was just released; retry');
      const expired = Date.now() - new Date(existing.created_at).getTime() > ttlHours * 3_600_000;
      if (expired) {
        await db.deleteFrom('idempotency_keys').where('scope', '=', scope).where('key', '=', key).execute();
        throw conflict('This Idempotency-Key expired; retry to run the request anew');
      }
      if (existing.request_hash !== requestHash) {
        throw new AppError(
          422,
          'VALIDATION_ERROR',
          'This Idempotency-Key was already used with a different request',
          {
            field: 'Idempotency-Key',
          },
        );
      }
      if (existing.status_code === null)
        throw conflict('A request with this Idempotency-Key is still in progress');
      reply
        .status(existing.status_code)
        .header(REPLAYED, 'true')
        .header('content-type', 'application/json; charset=utf-8');
      return reply.send(existing.response);
    }

    async function record(request: FastifyRequest, reply: FastifyReply, payload: unknown) {
      const marker = request.idempotency;
      if (!marker) return payload;
      request.idempotency = undefined;
      if (reply.statusCode >= 500 || typeof payload !== 'string') {
        // Not a final answer: free the key so the client's retry runs again.
        await db
          .deleteFrom('idempotency_keys')
          .where('scope', '=', marker.scope)
          .where('key', '=', marker.key)
          .execute();
        return payload;
      }
      await db
        .updateTable('idempotency_keys')
        .set({ status_code: reply.statusCode, response: payload, completed_at: sql`now()` })
        .where('scope', '=', marker.scope)
        .where('key', '=', marker.key)
        .execute();
      return payload;
    }

    // Attached only to routes that opt in, so every other request pays nothing.
    app.addHook('onRoute', (route) => {
      if (!route.config?.idempotent) return;
      route.preHandler = [...toArray(route.preHandler), replayOrClaim];
      route.onSend = [...toArray(route.onSend), record];
    });
  },
  { name: 'idempotency' },
);
