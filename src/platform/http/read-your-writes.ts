import { AsyncResource } from 'node:async_hooks';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Cache } from '../cache/index.ts';
import { type ReadScope, readScope } from '../db/read-routing.ts';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
const resourceOf = new WeakMap<FastifyRequest, AsyncResource>();
const stickyKey = (userId: string) => `db:primary-after-write:${userId}`;

/**
 * Read-your-writes over read replicas. Every request runs in a read scope
 * (db/read-routing.ts) that sends `database.reader` to the primary when
 * - the request itself may write (any method but GET/HEAD/OPTIONS), or
 * - its caller wrote within the last `stickySeconds`: a successful writing
 *   request marks its user in the shared cache (Redis when configured, so the
 *   mark holds across API processes) before its answer leaves.
 * Everyone else reads from a replica. The lookup happens on the first reader
 * query of a request, once, so requests that never use `reader` pay nothing.
 */
export const readYourWrites = fp<{ cache: Cache; stickySeconds: number }>(
  async (app, { cache, stickySeconds }) => {
    app.addHook('onRequest', (request, _reply, done) => {
      let decision: Promise<boolean> | undefined;
      const scope: ReadScope = {
        primary: () => {
          decision ??= (async () => {
            if (!READS.has(request.method)) return true;
            const userId = request.user?.id;
            if (!userId) return false;
            // A cache that does not answer cannot prove the user has not written: read the primary.
            return cache.get(stickyKey(userId)).then(
              (mark) => mark !== undefined,
              () => true,
            );
          })();
          return decision;
        },
      };
      readScope.run(scope, () => {
        const resource = new AsyncResource('o2o-read-scope');
        resourceOf.set(request, resource);
        resource.runInAsyncScope(done);
      });
    });
    // The body is parsed from socket events outside the scope: re-enter it for the handler.
    app.addHook('preValidation', (request, _reply, done) => {
      const resource = resourceOf.get(request);
      if (resource) resource.runInAsyncScope(done);
      else done();
    });
    app.addHook('onSend', async (request, reply, payload) => {
      const userId = request.user?.id;
      if (userId && !READS.has(request.method) && reply.statusCode < 400) {
        await cache
          .set(stickyKey(userId), 1, stickySeconds)
          .catch((error: unknown) =>
            request.log.warn(
              { err: error },
              'read-your-writes: could not mark the writer; replicas may lag its next reads',
            ),
          );
      }
      return payload;
    });
  },
  { name: 'read-your-writes' },
);
