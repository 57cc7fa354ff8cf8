import { ensureMonthlyPartitions, type UpkeepResult } from '../../platform/db/partitions.ts';
import type { Platform } from '../../platform/platform.ts';

/** Months created ahead of the current one, so inserts rarely reach the default partition. */
export const MONTHS_AHEAD = 3;

/** Creates this month's and the next months' note partitions if missing (see the storage notes in docs/love-notes.md). */
export function upkeepNotePartitions(platform: Platform, now?: Date): Promise<UpkeepResult> {
  return ensureMonthlyPartitions(platform.database.db, {
    table: 'love_notes_notes',
    monthsAhead: MONTHS_AHEAD,
    ...(now ? { now } : {}),
  });
}
