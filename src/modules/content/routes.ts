import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ErrorResponse } from '../../platform/http/envelope.ts';
import { contentCacheTags } from './cache.ts';
import type { ContentContext } from './context.ts';
import { listShows, showFeed } from './podcasts.ts';
import { getContent, listContent } from './reads.ts';
import { ListQuery, Responses, ShowParams, SlugParams } from './schemas.ts';

const tags = ['content'];
const errors = { '4xx': ErrorResponse };
const originOf = (request: FastifyRequest) => `${request.protocol}://${request.host}`;

/**
 * The public read API. No sign-in needed; a signed-in caller (and a premium
 * one) gets the bodies their access allows. Lists and search results are the
 * same for everyone (snippets quote public bodies only) and cached publicly;
 * a page depends on the caller, so it is cached per signed-in user
 * (anonymous pages are served from stored, pre-rendered HTML).
 */
export const contentRoutes: FastifyPluginAsyncTypebox<{ ctx: ContentContext }> = async (app, { ctx }) => {
  app.get(
    '/content',
    {
      config: {
        paginated: true,
        cache: { scope: 'public', ttlSeconds: 30, tags: contentCacheTags },
      },
      schema: {
        tags,
        summary: 'Published articles, posts and episodes, newest first; with q, the best matches',
        querystring: ListQuery,
        response: { 200: Responses.items, ...errors },
      },
    },
    async (request) => listContent(ctx, request.query),
  );
  app.get(
    '/content/:slug',
    {
      config: { cache: { scope: 'private', ttlSeconds: 30, tags: contentCacheTags } },
      schema: {
        tags,
        summary: 'One published item: its whole body, or a preview when it is for members or premium',
        params: SlugParams,
        response: { 200: Responses.item, ...errors },
      },
    },
    async (request) => getContent(ctx, request.user, request.params.slug),
  );

  app.get(
    '/content/podcasts',
    {
      config: { cache: { scope: 'public', ttlSeconds: 60, tags: contentCacheTags } },
      schema: {
        tags,
        summary: 'Podcast shows with their feed URLs',
        response: { 200: Responses.shows, ...errors },
      },
    },
    async (request) => listShows(ctx, originOf(request)),
  );
  app.get(
    '/content/podcasts/:show/feed.xml',
    {
      config: { rawBody: true },
      schema: {
        tags,
        summary: 'The show as an Apple-Podcasts-valid RSS 2.0 feed (public episodes only)',
        params: ShowParams,
        produces: ['application/rss+xml'],
        response: {
          200: Type.String({ description: 'RSS 2.0 with the iTunes namespace' }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const xml = await showFeed(ctx, request.params.show, originOf(request));
      return reply
        .header('cache-control', 'public, max-age=300')
        .type('application/rss+xml; charset=utf-8')
        .send(xml);
    },
  );
};
