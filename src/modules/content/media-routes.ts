import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import rangeParser from 'range-parser';
import { Type } from 'typebox';
import { matchesIfNoneMatch } from '../../platform/gateway/response-cache/key.ts';
import { callerOf, requireRole } from '../../platform/http/auth.ts';
import { ErrorAnswer, ErrorResponse } from '../../platform/http/envelope.ts';
import { AppError, notFound } from '../../platform/http/errors.ts';
import { readUpload } from '../../platform/http/upload.ts';
import { accessOf, lockOf } from './access.ts';
import type { ContentContext } from './context.ts';
import {
  IMAGE_VARIANTS,
  imageVariant,
  mediaBytes,
  uploadMedia,
  type VariantFormat,
  type VariantName,
} from './media.ts';
import { findMediaByHash } from './repo.ts';
import { Responses } from './schemas.ts';
import { hlsPrefix } from './video.ts';

const tags = ['content'];
const errors = { '4xx': ErrorResponse };
const IMMUTABLE = 'public, max-age=31536000, immutable';
const Binary = (description: string) =>
  Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description });

const FileParams = Type.Object({
  file: Type.String({ pattern: '^[0-9a-f]{32}\\.[a-z0-9]{2,4}$', description: '<content hash>.<extension>' }),
});
const VariantParams = Type.Object({
  hash: Type.String({ pattern: '^[0-9a-f]{32}$', description: 'Content hash of the original image' }),
  variant: Type.String({
    pattern: `^(${Object.keys(IMAGE_VARIANTS).join('|')})(\\.(webp|avif))?$`,
    description: `${Object.entries(IMAGE_VARIANTS)
      .map(([name, width]) => `${name} (${width} px wide)`)
      .join(', ')}; add .webp or .avif to choose the format, else it follows Accept`,
  }),
});

/**
 * Sends bytes with validators and byte ranges (RFC 9110): `Accept-Ranges`,
 * 206 with `Content-Range` for one satisfiable range, 416 for none, the whole
 * file for several (a server may ignore Range) or when If-Range names another
 * version. range-parser reads the header.
 */
function sendBytes(
  request: FastifyRequest,
  reply: FastifyReply,
  body: Buffer,
  headers: { contentType: string; etag: string; cacheControl: string; vary?: string },
) {
  reply
    .header('accept-ranges', 'bytes')
    .header('etag', headers.etag)
    .header('cache-control', headers.cacheControl)
    .header('x-content-type-options', 'nosniff');
  if (headers.vary) reply.header('vary', headers.vary);
  if (matchesIfNoneMatch(request.headers['if-none-match'], headers.etag)) return reply.code(304).send();
  const range = request.headers.range;
  const ifRange = request.headers['if-range'];
  if (range && (!ifRange || ifRange === headers.etag)) {
    const ranges = rangeParser(body.length, range, { combine: true });
    if (ranges === -1) {
      reply.header('content-range', `bytes */${body.length}`);
      throw new AppError(416, 'VALIDATION_ERROR', `The range is outside the file (${body.length} bytes)`);
    }
    if (ranges !== -2 && ranges.type === 'bytes' && ranges.length === 1) {
      const { start, end } = ranges[0]!;
      return reply
        .code(206)
        .header('content-range', `bytes ${start}-${end}/${body.length}`)
        .type(headers.contentType)
        .send(body.subarray(start, end + 1));
    }
  }
  return reply.type(headers.contentType).send(body);
}

/** Public media: originals (audio with ranges) and image variants, under content-hashed names. */
export const mediaRoutes: FastifyPluginAsyncTypebox<{ ctx: ContentContext }> = async (app, { ctx }) => {
  app.get(
    '/content/media/:file',
    {
      config: { rawBody: true },
      schema: {
        tags,
        summary: 'A media file by content hash; audio and images answer Range requests',
        params: FileParams,
        response: {
          200: Binary('The file'),
          206: Binary('The requested byte range'),
          304: Type.Null({ description: 'Not modified: If-None-Match matched the ETag' }),
          401: ErrorAnswer,
          403: ErrorAnswer,
          416: ErrorAnswer,
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const [hash, ext] = request.params.file.split('.') as [string, string];
      const row = await findMediaByHash(ctx.db, hash);
      if (!row || row.ext !== ext) throw notFound('Media file');
      // The audio of a members or premium episode is for readers who may hear it.
      const gated = await ctx.db
        .selectFrom('content_items')
        .select('visibility')
        .where('audio_media_id', '=', row.id)
        .where('visibility', '!=', 'public')
        .executeTakeFirst();
      let cacheControl = IMMUTABLE;
      if (gated) {
        const lock = lockOf(await accessOf(ctx, request.user), gated.visibility);
        if (lock === 'sign-in' && !request.user)
          throw new AppError(401, 'UNAUTHENTICATED', 'Sign in to listen');
        if (lock) throw new AppError(403, 'FORBIDDEN', 'This episode is for premium couples');
        cacheControl = 'private, max-age=86400';
      }
      const body = await mediaBytes(ctx, row);
      if (!body) throw notFound('Media file');
      return sendBytes(request, reply, body, {
        contentType: row.content_type,
        etag: `"${hash}"`,
        cacheControl,
      });
    },
  );

  app.get(
    '/content/media/:hash/:variant',
    {
      config: { rawBody: true },
      schema: {
        tags,
        summary: 'A named WebP or AVIF variant of an image, made on first request',
        params: VariantParams,
        response: {
          200: Binary('The variant'),
          206: Binary('The requested byte range'),
          304: Type.Null({ description: 'Not modified: If-None-Match matched the ETag' }),
          416: ErrorAnswer,
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const [name, chosen] = request.params.variant.split('.') as [VariantName, VariantFormat | undefined];
      const row = await findMediaByHash(ctx.db, request.params.hash);
      if (row?.kind !== 'image') throw notFound('Image');
      const format: VariantFormat =
        chosen ?? (/image\/avif/.test(request.headers.accept ?? '') ? 'avif' : 'webp');
      const body = await imageVariant(ctx, row, name, format);
      if (!body) throw notFound('Image');
      return sendBytes(request, reply, body, {
        contentType: `image/${format}`,
        etag: `"${row.hash}-${name}-${format}"`,
        cacheControl: IMMUTABLE,
        // Negotiated by Accept: caches must keep one copy per format.
        ...(chosen ? {} : { vary: 'Accept' }),
      });
    },
  );
};

/** HLS output of a packaged video: master playlist, rendition playlists, segments. */
export const hlsRoutes: FastifyPluginAsyncTypebox<{ ctx: ContentContext }> = async (app, { ctx }) => {
  app.get(
    '/content/media/:hash/hls/*',
    {
      config: { rawBody: true },
      schema: {
        tags,
        summary: 'A packaged video as HLS: master.m3u8, v<n>/index.m3u8 and v<n>/seg<nnn>.ts',
        params: Type.Object({
          hash: Type.String({ pattern: '^[0-9a-f]{32}$', description: 'Content hash of the uploaded video' }),
          '*': Type.String({
            pattern: '^(master\\.m3u8|v[0-9]/(index\\.m3u8|seg[0-9]{3,5}\\.ts))$',
            description: 'File of the package',
          }),
        }),
        response: {
          200: Binary('Playlist or segment'),
          206: Binary('The requested byte range'),
          304: Type.Null({ description: 'Not modified: If-None-Match matched the ETag' }),
          416: ErrorAnswer,
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const file = request.params['*'];
      const object = await ctx.platform.storage.get(`${hlsPrefix(request.params.hash)}${file}`);
      if (!object) throw notFound('Video file');
      return sendBytes(request, reply, object.body, {
        // By name: local storage does not keep a type it does not know.
        contentType: file.endsWith('.m3u8') ? 'application/vnd.apple.mpegurl' : 'video/mp2t',
        etag: `"${request.params.hash}-${file.replace('/', '-')}"`,
        cacheControl: IMMUTABLE,
      });
    },
  );
};

/** Upload, for editors: images and audio, one file per request. */
export const mediaUploadRoutes: FastifyPluginAsyncTypebox<{ ctx: ContentContext }> = async (app, { ctx }) => {
  const maxBytes = ctx.platform.config.content.mediaMaxBytes;
  await app.register(multipart, {
    limits: { fileSize: maxBytes, files: 1, fields: 0, parts: 1, headerPairs: 100 },
  });
  app.addHook('onRequest', requireRole('editor'));
  app.post(
    '/admin/content/media',
    {
      schema: {
        tags: ['content-admin'],
        summary:
          'Upload an image, audio or video file (multipart field `file`); stored under its content hash; a video is packaged to HLS by a job',
        consumes: ['multipart/form-data'],
        response: { 201: Responses.media, ...errors },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await uploadMedia(ctx, callerOf(request).id, await readUpload(request, maxBytes, 'file'))),
  );
};
