import type { Insertable, Updateable } from 'kysely';
import type { CalendarDb, CalendarTables, CalendarTrx, EventRow } from './tables.ts';

/** Kysely only; every function takes the couple (or user) it reads or writes. */
type Db = CalendarDb | CalendarTrx;
type CoupleScope = { coupleId: string };

export async function insertEvent(
  db: Db,
  row: Insertable<CalendarTables['calendar_events']>,
): Promise<EventRow> {
  return db.insertInto('calendar_events').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findEvent(db: Db, scope: CoupleScope, id: string): Promise<EventRow | undefined> {
  return db
    .selectFrom('calendar_events')
    .selectAll()
    .where('couple_id', '=', scope.coupleId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function updateEvent(
  db: Db,
  scope: CoupleScope,
  id: string,
  changes: Updateable<CalendarTables['calendar_events']>,
): Promise<EventRow | undefined> {
  return db
    .updateTable('calendar_events')
    .set(changes)
    .where('couple_id', '=', scope.coupleId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteEvent(db: Db, scope: CoupleScope, id: string): Promise<void> {
  await db
    .deleteFrom('calendar_events')
    .where('couple_id', '=', scope.coupleId)
    .where('id', '=', id)
    .execute();
}

/** Events that may have an occurrence in [from, to): started before `to`, and not over before `from`. */
export async function eventsOverlapping(
  db: Db,
  scope: CoupleScope,
  from: Date,
  to: Date,
): Promise<EventRow[]> {
  return db
    .selectFrom('calendar_events')
    .selectAll()
    .where('couple_id', '=', scope.coupleId)
    .where('starts_at', '<', to)
    .where((eb) =>
      eb.or([
        eb.and([eb('recurrence', 'is', null), eb('ends_at', '>=', from)]),
        eb.and([
          eb('recurrence', 'is not', null),
          eb.or([eb('recurrence_ends_at', 'is', null), eb('recurrence_ends_at', '>=', from)]),
        ]),
      ]),
    )
    .orderBy('starts_at')
    .orderBy('id')
    .execute();
}

/** A page of the couple's events by first start, then id (keyset). */
export async function pageEvents(
  db: Db,
  scope: CoupleScope,
  viewerId: string,
  after: { startsAt: string; id: string } | undefined,
  limit: number,
): Promise<EventRow[]> {
  let query = db
    .selectFrom('calendar_events')
    .selectAll()
    .where('couple_id', '=', scope.coupleId)
    // Surprises stay with their author until revealed.
    .where((eb) =>
      eb.or([eb('surprise', '=', false), eb('author_id', '=', viewerId), eb('reveal_at', '<=', new Date())]),
    );
  if (after) {
    query = query.where((eb) =>
      eb.or([
        eb('starts_at', '>', new Date(after.startsAt)),
        eb.and([eb('starts_at', '=', new Date(after.startsAt)), eb('id', '>', after.id)]),
      ]),
    );
  }
  return query.orderBy('starts_at').orderBy('id').limit(limit).execute();
}

/** Every event of the couple (the iCal feed). */
export async function allEvents(db: Db, scope: CoupleScope): Promise<EventRow[]> {
  return db
    .selectFrom('calendar_events')
    .selectAll()
    .where('couple_id', '=', scope.coupleId)
    .orderBy('starts_at')
    .limit(5000)
    .execute();
}
