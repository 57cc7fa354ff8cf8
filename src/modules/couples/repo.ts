import { sql } from 'kysely';
import type { CoupleRow, CouplesDb, CouplesTrx, InviteRow } from './tables.ts';

/** SQL of the couples module. */

type Executor = CouplesDb | CouplesTrx;

export async function findInvite(db: Executor, code: string): Promise<InviteRow | undefined> {
  return db.selectFrom('couples_invites').selectAll().where('code', '=', code).executeTakeFirst();
}

export async function lockInvite(trx: CouplesTrx, code: string): Promise<InviteRow | undefined> {
  return trx
    .selectFrom('couples_invites')
    .selectAll()
    .where('code', '=', code)
    .forUpdate()
    .executeTakeFirst();
}

export async function revokePendingInvites(trx: CouplesTrx, scope: { userId: string }): Promise<void> {
  await revokePendingQuery(trx, scope).execute();
}

/**
 * (Exported for test/modules/generic-plans.test.ts, which checks its generic plan.)
 * The status is a literal, not a parameter: the only index on the inviter is
 * partial (`status = 'pending'`), and only a literal lets the generic plan of this
 * prepared statement (database.ts `preparingPool`) use it instead of reading
 * every invite. The same holds for the purge (`purgeDueQuery`).
 */
export function revokePendingQuery(db: Executor, scope: { userId: string }) {
  return db
    .updateTable('couples_invites')
    .set({ status: 'revoked', responded_at: new Date() })
    .where('inviter_id', '=', scope.userId)
    .where('status', '=', sql.lit('pending'));
}

/** Couples whose read-only period ended, deleted (`couples_couples_purge`: `status = 'closed'`). */
export function purgeDueQuery(db: Executor, now: Date) {
  return db
    .deleteFrom('couples_couples')
    .where('status', '=', sql.lit('closed'))
    .where('read_only_until', '<=', now)
    .returning('id');
}

export async function setInviteStatus(
  trx: CouplesTrx,
  code: string,
  status: InviteRow['status'],
  responderId: string | null,
): Promise<void> {
  await trx
    .updateTable('couples_invites')
    .set({ status, responded_at: new Date(), responder_id: responderId })
    .where('code', '=', code)
    .execute();
}

/** Adds both people to the couple; false when either is already in one (the primary key decides). */
export async function addActiveMembers(
  trx: CouplesTrx,
  coupleId: string,
  userIds: string[],
): Promise<boolean> {
  const added = await trx
    .insertInto('couples_active_members')
    .values(userIds.map((userId) => ({ user_id: userId, couple_id: coupleId })))
    .onConflict((oc) => oc.column('user_id').doNothing())
    .returning('user_id')
    .execute();
  return added.length === userIds.length;
}

export async function isInActiveCouple(db: Executor, scope: { userId: string }): Promise<boolean> {
  const row = await db
    .selectFrom('couples_active_members')
    .select('couple_id')
    .where('user_id', '=', scope.userId)
    .executeTakeFirst();
  return row !== undefined;
}

/** The active couple, or else the most recent closed one still in its read-only period. */
export async function currentCouple(db: Executor, scope: { userId: string }): Promise<CoupleRow | undefined> {
  return db
    .selectFrom('couples_couples')
    .selectAll()
    .where((eb) => eb.or([eb('user_a', '=', scope.userId), eb('user_b', '=', scope.userId)]))
    .where((eb) => eb.or([eb('status', '=', 'active'), eb('read_only_until', '>', sql<Date>`now()`)]))
    .orderBy(sql`status = 'active'`, 'desc')
    .orderBy('linked_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function lockActiveCouple(
  trx: CouplesTrx,
  scope: { userId: string },
): Promise<CoupleRow | undefined> {
  return trx
    .selectFrom('couples_couples')
    .selectAll()
    .where('id', '=', (eb) =>
      eb.selectFrom('couples_active_members').select('couple_id').where('user_id', '=', scope.userId),
    )
    .where('status', '=', 'active')
    .forUpdate()
    .executeTakeFirst();
}

export const READ_ONLY_DAYS = 30;

/** These two people's closed couple still in its read-only period, locked: linking again reopens it. */
export async function lockReopenable(
  trx: CouplesTrx,
  scope: { userIds: [string, string] },
): Promise<CoupleRow | undefined> {
  const [a, b] = scope.userIds;
  return trx
    .selectFrom('couples_couples')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb.and([eb('user_a', '=', a), eb('user_b', '=', b)]),
        eb.and([eb('user_a', '=', b), eb('user_b', '=', a)]),
      ]),
    )
    .where('status', '=', 'closed')
    .where('read_only_until', '>', sql<Date>`now()`)
    .orderBy('closed_at', 'desc')
    .limit(1)
    .forUpdate()
    .executeTakeFirst();
}

/** Makes a closed couple active again, with its history, dates and nicknames as they were. */
export async function reopenCouple(trx: CouplesTrx, coupleId: string): Promise<void> {
  await trx
    .updateTable('couples_couples')
    .set({
      status: 'active',
      closed_at: null,
      closed_by: null,
      close_reason: null,
      read_only_until: null,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', coupleId)
    .execute();
}

export async function closeCouple(
  trx: CouplesTrx,
  coupleId: string,
  closedBy: string | null,
  reason: 'unlinked' | 'user-deleted',
): Promise<CoupleRow> {
  await trx.deleteFrom('couples_active_members').where('couple_id', '=', coupleId).execute();
  return trx
    .updateTable('couples_couples')
    .set({
      status: 'closed',
      closed_at: new Date(),
      closed_by: closedBy,
      close_reason: reason,
      read_only_until: sql<Date>`now() + make_interval(days => ${READ_ONLY_DAYS})`,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', coupleId)
    .returningAll()
    .executeTakeFirstOrThrow();
}
