import { sql } from 'kysely';
import type { ContentDb, ContentTrx, ItemRow, ItemType } from './tables.ts';

type Db = ContentDb | ContentTrx;

/** Published means status published and a publication time already passed. */
const published = (db: Db) =>
  db
    .selectFrom('content_items')
    .selectAll()
    .where('status', '=', 'published')
    .where('published_at', '<=', sql<Date>`now()`);

export function findPublished(db: Db, slug: string): Promise<ItemRow | undefined> {
  return published(db).where('slug', '=', slug).executeTakeFirst();
}

export function listPublished(
  db: Db,
  filter: { type?: ItemType; tag?: string; show?: string },
  after: { p: string; id: string } | undefined,
  limit: number,
): Promise<ItemRow[]> {
  let query = published(db);
  if (filter.type) query = query.where('type', '=', filter.type);
  if (filter.tag) query = query.where(sql<boolean>`tags @> array[${filter.tag}]::text[]`);
  if (filter.show) query = query.where('show_id', '=', filter.show);
  if (after) {
    query = query.where((eb) =>
      eb.or([
        eb('published_at', '<', new Date(after.p)),
        eb.and([eb('published_at', '=', new Date(after.p)), eb('id', '<', after.id)]),
      ]),
    );
  }
  return query.orderBy('published_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

export function findItem(db: Db, id: string): Promise<ItemRow | undefined> {
  return db.selectFrom('content_items').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function authorNames(db: Db, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('content_authors').select(['id', 'name']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

export async function showSlugs(db: Db, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('content_shows').select(['id', 'slug']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.slug]));
}

export function findShow(db: Db, slug: string) {
  return db.selectFrom('content_shows').selectAll().where('slug', '=', slug).executeTakeFirst();
}

export function findMedia(db: Db, id: string) {
  return db.selectFrom('content_media').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findMediaByHash(db: Db, hash: string) {
  return db.selectFrom('content_media').selectAll().where('hash', '=', hash).executeTakeFirst();
}
