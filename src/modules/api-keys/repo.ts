import { type Kysely, sql, type Transaction } from 'kysely';
import { decodeCursor, type Page, toPage } from '../../platform/http/pagination.ts';
import type { ApiKeysTables, KeyRow } from './tables.ts';

type Db = Kysely<ApiKeysTables> | Transaction<ApiKeysTables>;
export type Status = 'active' | 'expired' | 'revoked';

export type NewRow = Omit<KeyRow, 'created_at' | 'revoked_at' | 'last_used_at'>;

export const insertKey = (db: Db, row: NewRow) =>
  db.insertInto('api_keys_keys').values(row).returningAll().executeTakeFirstOrThrow();

export const findKey = (db: Db, id: string) =>
  db.selectFrom('api_keys_keys').selectAll().where('id', '=', id).executeTakeFirst();

export const findKeyForUpdate = (db: Db, id: string) =>
  db.selectFrom('api_keys_keys').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();

export const findByPrefix = (db: Db, prefix: string) =>
  db.selectFrom('api_keys_keys').selectAll().where('prefix', '=', prefix).executeTakeFirst();

/** Newest first, keyset on the UUIDv7 id. */
export async function listKeys(
  db: Db,
  query: { limit?: number; cursor?: string; status?: Status },
): Promise<Page<KeyRow>> {
  const limit = query.limit ?? 20;
  const after = decodeCursor<{ id: string }>(query.cursor, ['id']);
  let q = db.selectFrom('api_keys_keys').selectAll();
  if (after) q = q.where('id', '<', after.id);
  if (query.status === 'revoked') q = q.where('revoked_at', 'is not', null);
  if (query.status === 'expired')
    q = q.where('revoked_at', 'is', null).where('expires_at', '<=', sql<Date>`now()`);
  if (query.status === 'active')
    q = q
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', sql<Date>`now()`)]));
  const rows = await q
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  return toPage(rows, limit, (r) => ({ id: r.id }));
}

export const setExpiry = (db: Db, id: string, expiresAt: Date) =>
  db.updateTable('api_keys_keys').set({ expires_at: expiresAt }).where('id', '=', id).execute();

/** Idempotent: a revoked key keeps its first revocation time. */
export const revokeKey = (db: Db, id: string) =>
  db
    .updateTable('api_keys_keys')
    .set({ revoked_at: sql`coalesce(revoked_at, now())` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();

/** At most one write a minute per key, whatever the traffic: the timestamp is coarse on purpose. */
export const touchKey = (db: Db, id: string) =>
  db
    .updateTable('api_keys_keys')
    .set({ last_used_at: sql`now()` })
    .where('id', '=', id)
    .where((eb) =>
      eb.or([
        eb('last_used_at', 'is', null),
        eb('last_used_at', '<', sql<Date>`now() - interval '1 minute'`),
      ]),
    )
    .execute();
