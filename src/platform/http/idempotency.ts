import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type Kysely, sql } from 'kysely';
import { isUniqueViolation } from '../db/errors.ts';
import { AppError, conflict, validationError } from './errors.ts';
import { IDEMPOTENCY_TTL_HOURS } from './idempotency-prune.ts';
import { routeOf } from './route-of.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route accepts `Idempotency-Key` (creating POSTs). `'in-transaction'`: its
     * handler records the answer itself with `recordAnswer`, in the transaction that
     * makes its changes, so the two commit together (see below).
     */
    idempotent?: boolean | 'in-transaction';
  }
  interface FastifyRequest {
    idempotency?: { scope: string; key: string };
    /** Set on `'in-transaction'` routes when the request carries a key not seen before. */
    idempotentAnswer?: IdempotentAnswer;
  }
}

/** Where a handler records its answer: pass it to `recordAnswer` inside its transaction. */
export interface IdempotentAnswer {
  scope: string;
  key: string;
  requestHash: string;
}

/** The key a handler of an `'in-transaction'` route records its answer under, if the request has one. */
export function idempotentAnswerOf(request: FastifyRequest): IdempotentAnswer | undefined {
  return request.idempotentAnswer;
}

interface IdempotencyTables {
  idempotency_keys: {
    scope: string;
    key: string;
    request_hash: string;
    status_code: number | null;
    response: string | null;
    data: unknown;
    completed_at: Date | null;
  };
}

/**
 * Records the answer to a keyed request. Call it in the transaction that makes
 * the request's changes: a crash before the commit leaves neither (the retry
 * runs anew), after it both (the retry is answered from the record). A
 * concurrent duplicate that got past the lookup waits here for the first one's
 * transaction and then fails on the key (409 CONFLICT), undoing its own changes.
 */
export async function recordAnswer(
  // biome-ignore lint/suspicious/noExplicitAny: any module's transaction; the table is the platform's
  trx: Kysely<any>,
  answer: IdempotentAnswer,
  statusCode: number,
  data: unknown,
): Promise<void> {
  try {
    await (trx as Kysely<IdempotencyTables>)
      .insertInto('idempotency_keys')
      .values({
        scope: answer.scope,
        key: answer.key,
        request_hash: answer.requestHash,
        status_code: statusCode,
        data: JSON.stringify(data),
        completed_at: sql`now()`,
      })
      .execute();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    throw conflict('A request with this Idempotency-Key was answered meanwhile; retry to get its answer');
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
 * Two ways to store the answer:
 * - `idempotent: 'in-transaction'`: the handler records it with `recordAnswer`
 *   in the transaction that makes its changes. Nothing is claimed before the
 *   handler runs; a crash at any point leaves either nothing (the retry runs
 *   anew) or the changes with their answer (the retry is answered). Routes that
 *   change our database use this.
 * - `idempotent: true`: the key is claimed before the handler runs and the
 *   answer recorded after it, outside its transaction. A crash between the
 *   handler's commit and that record leaves the key claimed without an answer:
 *   retries get 409 "still in progress" until the key expires
 *   (IDEMPOTENCY_TTL_HOURS), never a second run within that time. For handlers
 *   without a transaction of ours to record in.
 */
export const idempotency = fp(
  // biome-ignore lint/suspicious/noExplicitAny: the platform table is not part of any module's types
  async (app: FastifyInstance, opts: { db: Kysely<any>; ttlHours?: number }) => {
    const ttlHours = opts.ttlHours ?? IDEMPOTENCY_TTL_HOURS;
    const { db } = opts;

    /** The key's scope and request hash, or undefined when the request carries no key. */
    function keyOf(request: FastifyRequest): IdempotentAnswer | undefined {
      const key = request.headers['idempotency-key'];
      if (key === undefined) return undefined;
      if (typeof key !== 'string' || !KEY.test(key)) {
        throw validationError('Idempotency-Key must be 1-255 visible ASCII characters', 'Idempotency-Key');
      }
      return { scope: scopeOf(request), key, requestHash: hashOf(request) };
    }

    /** Answers a request whose key is already recorded (replay, 422, 409). */
    async function answerRecorded(
      reply: FastifyReply,
      { scope, key, requestHash }: IdempotentAnswer,
      existing: {
        request_hash: string;
        status_code: number | null;
        response: string | null;
        data: unknown;
        created_at: Date;
      },
    ) {
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
      reply.status(existing.status_code).header(REPLAYED, 'true');
      // Recorded in the handler's transaction (no response text): the data, enveloped afresh like any answer.
      if (existing.response === null) return reply.send(existing.data);
      reply.header('content-type', 'application/json; charset=utf-8');
      return reply.send(existing.response);
    }

    function findRecorded({ scope, key }: IdempotentAnswer) {
      return db
        .selectFrom('idempotency_keys')
        .select(['request_hash', 'status_code', 'response', 'data', 'created_at'])
        .where('scope', '=', scope)
        .where('key', '=', key)
        .executeTakeFirst();
    }

    async function replayOrClaim(request: FastifyRequest, reply: FastifyReply) {
      const answer = keyOf(request);
      if (!answer) return;
      const inserted = await db
        .insertInto('idempotency_keys')
        .values({ scope: answer.scope, key: answer.key, request_hash: answer.requestHash })
        .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
        .returning('key')
        .executeTakeFirst();
      if (inserted) {
        request.idempotency = { scope: answer.scope, key: answer.key };
        return;
      }
      const existing = await findRecorded(answer);
      if (!existing) throw conflict('The request with this Idempotency-Key was just released; retry');
      return answerRecorded(reply, answer, existing);
    }

    /** `'in-transaction'` routes: replay what is recorded, else let the handler record its answer. */
    async function replayOrPass(request: FastifyRequest, reply: FastifyReply) {
      const answer = keyOf(request);
      if (!answer) return;
      const existing = await findRecorded(answer);
      if (!existing) {
        request.idempotentAnswer = answer;
        return;
      }
      return answerRecorded(reply, answer, existing);
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
      const mode = route.config?.idempotent;
      if (!mode) return;
      if (mode === 'in-transaction') {
        route.preHandler = [...toArray(route.preHandler), replayOrPass];
        return;
      }
      route.preHandler = [...toArray(route.preHandler), replayOrClaim];
      route.onSend = [...toArray(route.onSend), record];
    });
  },
  { name: 'idempotency' },
);
