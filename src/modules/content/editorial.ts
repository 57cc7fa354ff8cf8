import { sql, type Updateable } from 'kysely';
import type { Static } from 'typebox';
import { publish } from '../../platform/bus/publish.ts';
import { isUniqueViolation } from '../../platform/db/errors.ts';
import type { AuthUser } from '../../platform/http/auth-context.ts';
import { conflict, notFound, validationError } from '../../platform/http/errors.ts';
import { type IdempotentAnswer, recordAnswer } from '../../platform/http/idempotency.ts';
import { decodeCursor, type Page, toPage } from '../../platform/http/pagination.ts';
import { newId } from '../../platform/ids.ts';
import { cancel, schedule } from '../../platform/jobs/schedule.ts';
import { purgeContent } from './cache.ts';
import type { ContentContext } from './context.ts';
import { publishJobKey } from './jobs.ts';
import { htmlToText, readingMinutes, renderMarkdown, renderPreview } from './markdown.ts';
import { findItem, findMedia, findShow } from './repo.ts';
import type { CreateItemBody, Revision, StaffItem, StaffListQuery, UpdateItemBody } from './schemas.ts';
import type { ContentDb, ContentTrx, ItemRow, ItemsTable } from './tables.ts';
import { toStaffItem, toStaffItems } from './views.ts';

/**
 * The staff side (editor and admin roles): drafts, revisions, scheduling,
 * publishing, archiving and deletion. Each change commits with its event
 * (outbox) and, for scheduling, its job; the response cache is purged after
 * the commit.
 */
type StaffView = Static<typeof StaffItem>;

function rendered(body: string) {
  const html = renderMarkdown(body);
  return { body, body_html: html, body_text: htmlToText(html), preview_html: renderPreview(body) };
}

async function checkLinks(
  ctx: ContentContext,
  input: { authorIds?: string[] | undefined; audioMediaId?: string | undefined },
): Promise<void> {
  if (input.authorIds && input.authorIds.length > 0) {
    const found = await ctx.db
      .selectFrom('content_authors')
      .select('id')
      .where('id', 'in', input.authorIds)
      .execute();
    if (found.length !== new Set(input.authorIds).size)
      throw validationError('An author does not exist', 'authorIds');
  }
  if (input.audioMediaId) {
    const media = await findMedia(ctx.db, input.audioMediaId);
    if (media?.kind !== 'audio')
      throw validationError('audioMediaId is not an uploaded audio file', 'audioMediaId');
  }
}

const slugTaken = (error: unknown) => {
  if (isUniqueViolation(error)) return conflict('Another item already uses this slug');
  return error;
};

/** Paths under /content that an item's slug would shadow. */
const RESERVED_SLUGS = new Set(['podcasts', 'media']);
function assertSlug(slug: string | undefined) {
  if (slug !== undefined && RESERVED_SLUGS.has(slug))
    throw validationError(`The slug ${slug} is reserved`, 'slug');
}

export async function createItem(
  ctx: ContentContext,
  user: AuthUser,
  input: Static<typeof CreateItemBody>,
  idempotency?: IdempotentAnswer,
): Promise<StaffView> {
  assertSlug(input.slug);
  let showId: string | null = null;
  if (input.type === 'podcast-episode') {
    if (!input.show) throw validationError('An episode needs its show', 'show');
    const show = await findShow(ctx.db, input.show);
    if (!show) throw validationError(`There is no show ${input.show}`, 'show');
    showId = show.id;
  } else if (input.show || input.audioMediaId) {
    throw validationError(
      'Only podcast episodes have a show and audio',
      input.show ? 'show' : 'audioMediaId',
    );
  }
  await checkLinks(ctx, input);
  const id = newId();
  const minutes =
    input.type === 'podcast-episode' && input.durationSeconds
      ? Math.max(1, Math.round(input.durationSeconds / 60))
      : readingMinutes(input.body);
  try {
    const row = await ctx.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('content_items')
        .values({
          id,
          type: input.type,
          slug: input.slug,
          title: input.title,
          excerpt: input.excerpt,
          ...rendered(input.body),
          cover_image: input.coverImage ?? null,
          primary_tag: input.tags[0]!,
          tags: input.tags,
          author_ids: input.authorIds ?? [],
          minutes,
          visibility: input.visibility,
          status: 'draft',
          published_at: null,
          show_id: showId,
          audio_media_id: input.audioMediaId ?? null,
          duration_seconds: input.durationSeconds ?? null,
          episode_number: input.episodeNumber ?? null,
          created_by: user.id,
          updated_by: user.id,
          revision: 1,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await saveRevision(trx, row, user.id);
      if (idempotency) await recordAnswer(trx, idempotency, 201, await toStaffItem(ctx, row));
      return row;
    });
    return toStaffItem(ctx, row);
  } catch (error) {
    throw slugTaken(error);
  }
}

function saveRevision(trx: ContentTrx, row: ItemRow, editorId: string) {
  return trx
    .insertInto('content_revisions')
    .values({
      item_id: row.id,
      revision: row.revision,
      title: row.title,
      excerpt: row.excerpt,
      body: row.body,
      tags: row.tags,
      visibility: row.visibility,
      editor_id: editorId,
    })
    .execute();
}

/** Locks the item for a change; 404 if it does not exist. */
async function lockItem(trx: ContentTrx, id: string): Promise<ItemRow> {
  const row = await trx
    .selectFrom('content_items')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw notFound('Content item', id);
  return row;
}

export async function updateItem(
  ctx: ContentContext,
  user: AuthUser,
  id: string,
  input: Static<typeof UpdateItemBody>,
): Promise<StaffView> {
  assertSlug(input.slug);
  await checkLinks(ctx, input);
  try {
    const row = await ctx.db.transaction().execute(async (trx) => {
      const before = await lockItem(trx, id);
      if (
        before.type !== 'podcast-episode' &&
        (input.audioMediaId || input.episodeNumber || input.durationSeconds)
      ) {
        throw validationError('Only podcast episodes have audio', 'audioMediaId');
      }
      const changes: Updateable<ItemsTable> = {
        ...(input.slug !== undefined ? { slug: input.slug } : {}),
        ...(input.title !== undefined ? { title: input.title } : {}),
        ...(input.excerpt !== undefined ? { excerpt: input.excerpt } : {}),
        ...(input.body !== undefined ? rendered(input.body) : {}),
        ...(input.body !== undefined && before.type !== 'podcast-episode'
          ? { minutes: readingMinutes(input.body) }
          : {}),
        ...(input.tags !== undefined ? { tags: input.tags, primary_tag: input.tags[0]! } : {}),
        ...(input.visibility !== undefined ? { visibility: input.visibility } : {}),
        ...(input.coverImage !== undefined ? { cover_image: input.coverImage } : {}),
        ...(input.authorIds !== undefined ? { author_ids: input.authorIds } : {}),
        ...(input.audioMediaId !== undefined ? { audio_media_id: input.audioMediaId } : {}),
        ...(input.durationSeconds !== undefined
          ? {
              duration_seconds: input.durationSeconds,
              minutes: Math.max(1, Math.round(input.durationSeconds / 60)),
            }
          : {}),
        ...(input.episodeNumber !== undefined ? { episode_number: input.episodeNumber } : {}),
      };
      const row = await trx
        .updateTable('content_items')
        .set({ ...changes, revision: before.revision + 1, updated_by: user.id, updated_at: sql`now()` })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await saveRevision(trx, row, user.id);
      await publish(trx, 'content.updated', eventOf(row, 'edited'), { actorId: user.id });
      return row;
    });
    await purgeContent(ctx.platform);
    return toStaffItem(ctx, row);
  } catch (error) {
    throw slugTaken(error);
  }
}

const eventOf = (row: ItemRow, change: 'edited' | 'scheduled' | 'archived' | 'deleted') => ({
  itemId: row.id,
  slug: row.slug,
  change,
  status: change === 'deleted' ? ('deleted' as const) : row.status,
  revision: row.revision,
});

const YEAR_MS = 366 * 24 * 3_600_000;

/** Publishes at `publishAt` through a keyed job (scheduling again moves it). */
export async function scheduleItem(ctx: ContentContext, user: AuthUser, id: string, publishAt: string) {
  const at = new Date(publishAt);
  if (Number.isNaN(at.getTime()) || at.getTime() <= Date.now()) {
    throw validationError('publishAt must be in the future', 'publishAt');
  }
  if (at.getTime() > Date.now() + YEAR_MS)
    throw validationError('publishAt is more than a year ahead', 'publishAt');
  const row = await ctx.db.transaction().execute(async (trx) => {
    const before = await lockItem(trx, id);
    if (before.status === 'published') throw conflict('The item is already published; archive it first');
    const row = await trx
      .updateTable('content_items')
      .set({ status: 'scheduled', published_at: at, updated_by: user.id, updated_at: sql`now()` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await schedule(trx, { name: 'content.publish', payload: { itemId: id }, key: publishJobKey(id) }, at);
    await publish(trx, 'content.updated', eventOf(row, 'scheduled'), { actorId: user.id });
    return row;
  });
  return toStaffItem(ctx, row);
}

export async function publishItem(ctx: ContentContext, user: AuthUser, id: string) {
  const row = await ctx.db.transaction().execute(async (trx) => {
    const before = await lockItem(trx, id);
    if (before.status === 'published') return before;
    const row = await trx
      .updateTable('content_items')
      .set({ status: 'published', published_at: sql`now()`, updated_by: user.id, updated_at: sql`now()` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await cancel(trx, publishJobKey(id));
    await publish(trx, 'content.published', publishedEvent(row), { actorId: user.id });
    return row;
  });
  await purgeContent(ctx.platform);
  return toStaffItem(ctx, row);
}

const publishedEvent = (row: ItemRow) => ({
  itemId: row.id,
  slug: row.slug,
  type: row.type,
  visibility: row.visibility,
  publishedAt: (row.published_at ?? new Date()).toISOString(),
});

export async function archiveItem(ctx: ContentContext, user: AuthUser, id: string) {
  const row = await ctx.db.transaction().execute(async (trx) => {
    await lockItem(trx, id);
    const row = await trx
      .updateTable('content_items')
      .set({ status: 'archived', updated_by: user.id, updated_at: sql`now()` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await cancel(trx, publishJobKey(id));
    await publish(trx, 'content.updated', eventOf(row, 'archived'), { actorId: user.id });
    return row;
  });
  await purgeContent(ctx.platform);
  return toStaffItem(ctx, row);
}

export async function deleteItem(ctx: ContentContext, user: AuthUser, id: string): Promise<null> {
  await ctx.db.transaction().execute(async (trx) => {
    const row = await lockItem(trx, id);
    await trx.deleteFrom('content_items').where('id', '=', id).execute();
    await cancel(trx, publishJobKey(id));
    await publish(trx, 'content.updated', eventOf(row, 'deleted'), { actorId: user.id });
  });
  await purgeContent(ctx.platform);
  return null;
}

/**
 * The scheduled publication, run by the `content.publish` job (and the
 * minute backstop): only an item still scheduled and due moves to published,
 * so a job that runs twice, or after the editor published or rescheduled by
 * hand, changes nothing and emits nothing. Returns whether it published.
 */
export async function publishIfDue(ctx: ContentContext, id: string): Promise<boolean> {
  const row = await ctx.db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('content_items')
      .set({ status: 'published', updated_at: sql`now()` })
      .where('id', '=', id)
      .where('status', '=', 'scheduled')
      .where('published_at', '<=', sql<Date>`now()`)
      .returningAll()
      .executeTakeFirst();
    if (row) await publish(trx, 'content.published', publishedEvent(row));
    return row;
  });
  if (row) await purgeContent(ctx.platform);
  return row !== undefined;
}

/** Scheduled items already due (their job lost or stuck). */
export async function dueItems(ctx: ContentContext): Promise<string[]> {
  const rows = await dueItemsQuery(ctx.db).execute();
  return rows.map((r) => r.id);
}

/**
 * (Exported for test/modules/generic-plans.test.ts, which checks its generic plan.)
 * The status is a literal, not a parameter: planned without its value, the generic
 * plan of this prepared statement (database.ts `preparingPool`) expects `status = $1`
 * to match as many items as an average status does, and scans the published ones
 * to find the few scheduled; with the literal it reads an index of scheduled items
 * (the partial `content_items_due`, or the feed's).
 */
export function dueItemsQuery(db: ContentDb) {
  return db
    .selectFrom('content_items')
    .select('id')
    .where('status', '=', sql.lit('scheduled'))
    .where('published_at', '<=', sql<Date>`now()`)
    .limit(100);
}

export async function listStaffItems(
  ctx: ContentContext,
  query: Static<typeof StaffListQuery>,
): Promise<Page<StaffView>> {
  const limit = query.limit ?? 50;
  const after = decodeCursor<{ id: string }>(query.cursor, ['id']);
  let q = ctx.db.selectFrom('content_items').selectAll();
  if (query.status) q = q.where('status', '=', query.status);
  if (after) q = q.where('id', '<', after.id);
  const rows = await q
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const page = toPage(rows, limit, (r) => ({ id: r.id }));
  return { items: await toStaffItems(ctx, page.items), nextCursor: page.nextCursor };
}

export async function getStaffItem(ctx: ContentContext, id: string) {
  const row = await findItem(ctx.db, id);
  if (!row) throw notFound('Content item', id);
  return toStaffItem(ctx, row);
}

export async function listRevisions(ctx: ContentContext, id: string): Promise<Static<typeof Revision>[]> {
  if (!(await findItem(ctx.db, id))) throw notFound('Content item', id);
  const rows = await ctx.db
    .selectFrom('content_revisions')
    .selectAll()
    .where('item_id', '=', id)
    .orderBy('revision', 'desc')
    .execute();
  return rows.map((r) => ({
    revision: r.revision,
    title: r.title,
    excerpt: r.excerpt,
    body: r.body,
    tags: r.tags,
    visibility: r.visibility,
    editorId: r.editor_id,
    createdAt: r.created_at.toISOString(),
  }));
}

export async function createAuthor(
  ctx: ContentContext,
  input: { name: string; bio?: string | undefined; userId?: string | undefined },
) {
  try {
    const row = await ctx.db
      .insertInto('content_authors')
      .values({ id: newId(), name: input.name, bio: input.bio ?? '', user_id: input.userId ?? null })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { id: row.id, name: row.name, bio: row.bio, userId: row.user_id };
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict('This account already has an author profile');
    throw error;
  }
}
