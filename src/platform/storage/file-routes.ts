import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { notFound } from '../http/errors.ts';
import type { LocalStorage } from './local-storage.ts';
import { assertValidKey, cacheControlOf, isPublicKey } from './storage.ts';

/**
 * Serves local-disk objects at /v1/files/<key>. Public objects have
 * content-hashed names, so they may be cached forever; private ones need a
 * valid, unexpired signature. A wrong or expired link is a plain 404 so it
 * tells nothing about whether the object exists.
 */
export const localFileRoutes: FastifyPluginAsyncTypebox<{ storage: LocalStorage }> = async (app, opts) => {
  app.get(
    '/files/*',
    {
      config: { rawBody: true },
      schema: {
        tags: ['files'],
        summary: 'Download a stored file (avatars; exports through their signed link)',
        params: Type.Object({ '*': Type.String() }),
        querystring: Type.Object({
          expires: Type.Optional(Type.Integer({ minimum: 0 })),
          signature: Type.Optional(Type.String({ maxLength: 128 })),
        }),
      },
    },
    async (request, reply) => {
      const key = request.params['*'];
      const { expires, signature } = request.query;
      try {
        assertValidKey(key);
      } catch {
        throw notFound('File');
      }
      const allowed =
        isPublicKey(key) ||
        (expires !== undefined && signature !== undefined && opts.storage.verify(key, expires, signature));
      if (!allowed) throw notFound('File');
      const object = await opts.storage.get(key);
      if (!object) throw notFound('File');
      reply.header('cache-control', cacheControlOf(key));
      if (!isPublicKey(key)) {
        reply.header('content-disposition', `attachment; filename="${key.slice(key.lastIndexOf('/') + 1)}"`);
      }
      return reply.type(object.contentType).send(object.body);
    },
  );
};
