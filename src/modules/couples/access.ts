import { sql } from 'kysely';
import { notFound } from '../../platform/http/errors.ts';
import type { CouplesDb, CouplesTrx } from './tables.ts';

/**
 * What other modules ask the couples module, synchronously. Each takes the
 * caller's database handle or transaction first, so a module can ask inside
 * its own transaction.
 */
// biome-ignore lint/suspicious/noExplicitAny: any module's Kysely or transaction
type Executor = CouplesDb | CouplesTrx | import('kysely').Kysely<any>;

export interface ActiveCouple {
  coupleId: string;
  partnerId: string | null;
}

export async function activeCoupleOf(db: Executor, userId: string): Promise<ActiveCouple | null> {
  const row = await (db as CouplesDb)
    .selectFrom('couples_active_members as m')
    .innerJoin('couples_couples as c', 'c.id', 'm.couple_id')
    .select(['c.id', 'c.user_a', 'c.user_b'])
    .where('m.user_id', '=', userId)
    .where('c.status', '=', 'active')
    .executeTakeFirst();
  if (!row) return null;
  return { coupleId: row.id, partnerId: row.user_a === userId ? row.user_b : row.user_a };
}

/** A closed couple whose shared history its former members may still read. */
export interface ReadOnlyCouple {
  coupleId: string;
  partnerId: string | null;
  readOnlyUntil: Date;
}

/** The user's closed couples still in their read-only period, the most recently closed first. */
export async function readOnlyCouplesOf(db: Executor, userId: string): Promise<ReadOnlyCouple[]> {
  const rows = await (db as CouplesDb)
    .selectFrom('couples_couples')
    .select(['id', 'user_a', 'user_b', 'read_only_until'])
    .where((eb) => eb.or([eb('user_a', '=', userId), eb('user_b', '=', userId)]))
    .where('status', '=', 'closed')
    .where('read_only_until', '>', sql<Date>`now()`)
    .orderBy('closed_at', 'desc')
    .execute();
  return rows.map((row) => ({
    coupleId: row.id,
    partnerId: row.user_a === userId ? row.user_b : row.user_a,
    readOnlyUntil: row.read_only_until as Date,
  }));
}

/**
 * Which of these couples are active, each kept FOR SHARE until the caller's
 * transaction ends: an unlink (which locks its couple FOR UPDATE) waits for
 * the caller's commit, and one that committed first leaves its couple out.
 * So work done for an active couple in that transaction (delivering a
 * scheduled note) can never land after the unlink.
 */
export async function lockActiveCouples(trx: Executor, coupleIds: string[]): Promise<Set<string>> {
  if (coupleIds.length === 0) return new Set();
  const rows = await (trx as CouplesDb)
    .selectFrom('couples_couples')
    .select('id')
    .where('id', 'in', [...new Set(coupleIds)])
    .where('status', '=', 'active')
    .orderBy('id')
    .forShare()
    .execute();
  return new Set(rows.map((row) => row.id));
}

/** The dates a couple keeps: when they linked in the app, and the days they chose. */
export interface CoupleDates {
  linkedAt: Date;
  /** When the relationship started (`YYYY-MM-DD`), if a partner set it. */
  relationshipStart: string | null;
  /** The day they celebrate (`YYYY-MM-DD`), if a partner set it. */
  anniversary: string | null;
}

/** A couple's dates (active or closed), or null for an unknown couple. */
export async function coupleDatesOf(db: Executor, coupleId: string): Promise<CoupleDates | null> {
  const row = await (db as CouplesDb)
    .selectFrom('couples_couples')
    .select(['linked_at', 'relationship_start', 'anniversary'])
    .where('id', '=', coupleId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    linkedAt: row.linked_at,
    relationshipStart: row.relationship_start,
    anniversary: row.anniversary,
  };
}

/** The user's partner in their active couple, or null. */
export async function partnerOf(db: Executor, userId: string): Promise<string | null> {
  return (await activeCoupleOf(db, userId))?.partnerId ?? null;
}

/**
 * Throws 404 unless the user may act on the couple: as a member of it while
 * it is active (`write`, the default), or also as a former member during the
 * read-only period after an unlink (`read`). 404 rather than 403, so a
 * couple id reveals nothing to outsiders.
 */
export async function assertSameCouple(
  db: Executor,
  userId: string,
  coupleId: string,
  mode: 'write' | 'read' = 'write',
): Promise<void> {
  const row = await (db as CouplesDb)
    .selectFrom('couples_couples')
    .select(['status', sql<boolean>`read_only_until > now()`.as('readable')])
    .where('id', '=', coupleId)
    .where((eb) => eb.or([eb('user_a', '=', userId), eb('user_b', '=', userId)]))
    .executeTakeFirst();
  const allowed =
    row !== undefined && (row.status === 'active' || (mode === 'read' && row.readable === true));
  if (!allowed) throw notFound('Couple', coupleId);
}
