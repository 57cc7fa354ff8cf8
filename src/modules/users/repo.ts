import { sql, type Updateable } from 'kysely';
import type { ProfileRow, UsersDb, UsersTables, UsersTrx } from './tables.ts';

/** SQL of the profiles and handles tables. Every function is scoped by a user id. */

type ProfileChanges = Omit<Updateable<UsersTables['users_profiles']>, 'user_id' | 'created_at'>;
type Executor = UsersDb | UsersTrx;

export async function insertProfileIfMissing(
  db: Executor,
  scope: { userId: string },
  seed: { displayName?: string | null; locale?: string; timeZone?: string } = {},
): Promise<void> {
  await db
    .insertInto('users_profiles')
    .values({
      user_id: scope.userId,
      display_name: seed.displayName ?? null,
      ...(seed.locale ? { locale: seed.locale } : {}),
      ...(seed.timeZone ? { time_zone: seed.timeZone } : {}),
    })
    .onConflict((oc) => oc.column('user_id').doNothing())
    .execute();
}

export async function findProfile(db: Executor, scope: { userId: string }): Promise<ProfileRow | undefined> {
  return db.selectFrom('users_profiles').selectAll().where('user_id', '=', scope.userId).executeTakeFirst();
}

export async function findProfiles(db: Executor, userIds: string[]): Promise<ProfileRow[]> {
  if (userIds.length === 0) return [];
  return db.selectFrom('users_profiles').selectAll().where('user_id', 'in', userIds).execute();
}

export async function lockProfile(trx: UsersTrx, scope: { userId: string }): Promise<ProfileRow | undefined> {
  return trx
    .selectFrom('users_profiles')
    .selectAll()
    .where('user_id', '=', scope.userId)
    .forUpdate()
    .executeTakeFirst();
}

export async function updateProfile(
  db: Executor,
  scope: { userId: string },
  changes: ProfileChanges,
): Promise<ProfileRow> {
  return db
    .updateTable('users_profiles')
    .set({ ...changes, updated_at: sql<Date>`now()` })
    .where('user_id', '=', scope.userId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Moves the user's handle; false when another user holds it (any case). */
export async function claimHandle(
  trx: UsersTrx,
  scope: { userId: string },
  handle: string,
): Promise<boolean> {
  const key = handle.toLowerCase();
  await trx
    .deleteFrom('users_handles')
    .where('user_id', '=', scope.userId)
    .where('handle_key', '!=', key)
    .execute();
  const claimed = await trx
    .insertInto('users_handles')
    .values({ handle_key: key, user_id: scope.userId })
    .onConflict((oc) => oc.column('handle_key').doNothing())
    .returning('user_id')
    .executeTakeFirst();
  if (claimed) return true;
  const holder = await trx
    .selectFrom('users_handles')
    .select('user_id')
    .where('handle_key', '=', key)
    .executeTakeFirst();
  return holder?.user_id === scope.userId;
}

export interface SearchRow {
  user_id: string;
  handle: string | null;
  display_name: string | null;
  avatar: ProfileRow['avatar'];
  score: string;
}

/**
 * Discoverable, active people whose handle starts with the query (ranked
 * first) or whose handle or name is trigram-similar to it. Keyset-paginated
 * on (score, user_id); the score is rounded to a numeric so the cursor
 * compares exactly.
 */
export async function searchProfiles(
  db: UsersDb,
  scope: { callerId: string },
  query: string,
  limit: number,
  after?: { score: string; id: string },
): Promise<SearchRow[]> {
  const q = query.toLowerCase();
  const prefix = `${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const score = sql<string>`round((
      case when lower(handle) like ${prefix} then 1 else 0 end
      + greatest(similarity(lower(coalesce(handle, '')), ${q}), similarity(lower(coalesce(display_name, '')), ${q}))
    )::numeric, 6)`;
  let search = db
    .selectFrom('users_profiles')
    .select(['user_id', 'handle', 'display_name', 'avatar', score.as('score')])
    .where('discoverable', '=', true)
    .where('status', '=', 'active')
    .where('user_id', '!=', scope.callerId)
    .where((eb) =>
      eb.or([
        eb(sql`lower(handle)`, 'like', prefix),
        eb(sql`lower(display_name)`, 'like', prefix),
        sql<boolean>`lower(handle) % ${q}`,
        sql<boolean>`lower(display_name) % ${q}`,
      ]),
    );
  if (after) {
    search = search.where(({ eb, or, and }) =>
      or([
        eb(score, '<', sql<string>`${after.score}::numeric`),
        and([eb(score, '=', sql<string>`${after.score}::numeric`), eb('user_id', '>', after.id)]),
      ]),
    );
  }
  return search
    .orderBy(score, 'desc')
    .orderBy('user_id', 'asc')
    .limit(limit + 1)
    .execute() as Promise<SearchRow[]>;
}

export async function wasErased(db: Executor, subjectHash: string): Promise<boolean> {
  const row = await db
    .selectFrom('users_erasures')
    .select('id')
    .where('subject_hash', '=', subjectHash)
    .executeTakeFirst();
  return row !== undefined;
}
