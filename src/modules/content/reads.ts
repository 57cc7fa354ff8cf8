import type { Static } from 'typebox';
import { cachedRouteReader } from '../../platform/gateway/response-cache/reader.ts';
import type { AuthUser } from '../../platform/http/auth-context.ts';
import { notFound, validationError } from '../../platform/http/errors.ts';
import { decodeCursor, encodeCursor, type Page, toPage } from '../../platform/http/pagination.ts';
import { accessOf } from './access.ts';
import type { ContentContext } from './context.ts';
import { findPublished, listPublished } from './repo.ts';
import type { ListQuery } from './schemas.ts';
import { searchItems } from './search.ts';
import type { ContentDb } from './tables.ts';
import { type Summary, toSummary, toView, type View } from './views.ts';

/**
 * `GET /content`: the newest published items, or with `q` the best matches.
 * The answer is the same for every reader, so it is cached publicly: lists
 * carry titles and excerpts only, and search matches and quotes the bodies of
 * public items only (members and premium items by title and excerpt).
 */
export async function listContent(
  ctx: ContentContext,
  query: Static<typeof ListQuery>,
): Promise<Page<Summary>> {
  const limit = query.limit ?? 20;
  if (query.q !== undefined) {
    const { o: offset } = decodeCursor<{ o: number }>(query.cursor, ['o']) ?? { o: 0 };
    if (!Number.isInteger(offset) || offset < 0 || offset > 10_000)
      throw validationError('cursor is not valid', 'cursor');
    const hits = await searchItems(ctx, {
      q: query.q,
      ...(query.type ? { type: query.type } : {}),
      ...(query.tag ? { tag: query.tag } : {}),
      access: 'anonymous',
      offset,
      limit: limit + 1,
    });
    const items = hits.slice(0, limit).map(({ row, snippet }) => ({ ...toSummary(row), snippet }));
    return { items, nextCursor: hits.length > limit ? encodeCursor({ o: offset + limit }) : null };
  }
  const after = decodeCursor<{ p: string; id: string }>(query.cursor, ['p', 'id']);
  if (after && Number.isNaN(Date.parse(after.p))) throw validationError('cursor is not valid', 'cursor');
  const rows = await listPublished(
    // Public and cached for everyone: the primary while the cache is on, else a replica when configured.
    cachedRouteReader(ctx.platform) as ContentDb,
    { ...(query.type ? { type: query.type } : {}), ...(query.tag ? { tag: query.tag } : {}) },
    after,
    limit + 1,
  );
  return toPage(rows.map(toSummary), limit, (s) => ({ p: s.publishedAt ?? '', id: s.id }));
}

/** `GET /content/{slug}`: the published item; its body or, without access, a preview. */
export async function getContent(
  ctx: ContentContext,
  user: AuthUser | undefined,
  slug: string,
): Promise<View> {
  const row = await findPublished(ctx.db, slug);
  if (!row) throw notFound('Content', slug);
  return toView(ctx, row, await accessOf(ctx, user));
}
