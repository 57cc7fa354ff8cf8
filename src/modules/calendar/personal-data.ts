import type { PersonalData } from '../../platform/module.ts';
import type { Platform } from '../../platform/platform.ts';
import { forgetMonths } from './cache.ts';
import { defaultDeps } from './dependencies.ts';
import type { CalendarDb } from './tables.ts';
import { toView } from './view.ts';

/**
 * What the calendar holds about a person: the events they created (shared
 * with their couple) and whether they have an iCal feed. Erasure deletes
 * their surprises (nobody else could see them yet), keeps the couple's shared
 * events for the partner without an author, and drops the feed.
 */
export const calendarPersonalData: PersonalData = {
  async export(platform: Platform, userId: string) {
    const db = platform.database.db as CalendarDb;
    const events = await db
      .selectFrom('calendar_events')
      .selectAll()
      .where('author_id', '=', userId)
      .orderBy('starts_at')
      .execute();
    const feed = await db
      .selectFrom('calendar_feeds')
      .select('created_at')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return { eventsCreated: events.map(toView), icalFeedCreatedAt: feed?.created_at ?? null };
  },
  async erase(platform: Platform, userId: string) {
    const db = platform.database.db as CalendarDb;
    await db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom('calendar_events')
        .where('author_id', '=', userId)
        .where('surprise', '=', true)
        .execute();
      await trx
        .updateTable('calendar_events')
        .set({ author_id: null })
        .where('author_id', '=', userId)
        .execute();
      await trx.deleteFrom('calendar_feeds').where('user_id', '=', userId).execute();
    });
    // A revealed surprise of theirs is gone from the partner's month too (cache.ts). A couple
    // already closed shows no month to anyone, and unlinking cleared its entries.
    const couple = await defaultDeps.coupleOf(platform, userId);
    await forgetMonths(platform, [userId, couple?.partnerId ?? null]);
  },
};
