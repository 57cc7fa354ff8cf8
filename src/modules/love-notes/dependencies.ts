import type { Executor } from '../../platform/bus/publish.ts';
import { cancel, schedule } from '../../platform/jobs/schedule.ts';
import type { Platform } from '../../platform/platform.ts';
import {
  type CoupleDates,
  cachedActiveCoupleOf,
  coupleDatesOf,
  lockActiveCouples,
  readOnlyCouplesOf,
} from '../couples/index.ts';
import { profileCards, regionalSettings } from '../users/index.ts';

/**
 * The one file where love-notes meets other modules (couples, users)
 * and the jobs platform: everything it needs from them goes through here.
 */
export interface CoupleFacts {
  coupleId: string;
  partnerId: string | null;
}

export type { CoupleDates };

export interface LoveNotesDeps {
  /** The caller's active couple, or null (couples module: `activeCoupleOf`). */
  coupleOf(platform: Platform, userId: string): Promise<CoupleFacts | null>;
  /**
   * The user's closed couples still in their read-only period after an unlink,
   * most recently closed first (couples module: `readOnlyCouplesOf`). Asked
   * only off the hot paths: when the active couple does not hold the note.
   */
  readOnlyCouplesOf(platform: Platform, userId: string): Promise<CoupleFacts[]>;
  /**
   * Of these couples, the ones still active, locked in the caller's transaction so
   * an unlink waits for its commit (couples module: `lockActiveCouples`).
   */
  lockActiveCouples(trx: Executor, coupleIds: string[]): Promise<Set<string>>;
  /**
   * When the couple linked, started and celebrates, for {{daysTogether}} and
   * {{anniversary}} (couples module: `coupleDatesOf`). Asked only when a note uses them.
   */
  datesOf(platform: Platform, coupleId: string): Promise<CoupleDates | null>;
  /** Display names for template variables (users module: profile cards). */
  displayNameOf(platform: Platform, userId: string): Promise<string | null>;
  /** The user's IANA time zone from their profile (users module); 'UTC' without a profile. */
  timeZoneOf(platform: Platform, userId: string): Promise<string>;
  /** The user's BCP 47 locale from their profile (users module), for formatting dates; 'en' without one. */
  localeOf(platform: Platform, userId: string): Promise<string>;
}

/** The couples module's cache tag of a user's membership: list caches carry it, so (un)linking clears them. */
export { coupleTag } from '../couples/index.ts';

export const defaultDeps: LoveNotesDeps = {
  // Cached by the couples module, which invalidates it when a couple links or unlinks.
  coupleOf: (platform, userId) => cachedActiveCoupleOf(platform, userId),
  readOnlyCouplesOf: (platform, userId) => readOnlyCouplesOf(platform.database.db, userId),
  lockActiveCouples: (trx, coupleIds) => lockActiveCouples(trx, coupleIds),
  datesOf: (platform, coupleId) => coupleDatesOf(platform.database.db, coupleId),
  async displayNameOf(platform, userId) {
    return (await profileCards(platform, [userId])).get(userId)?.displayName ?? null;
  },
  async timeZoneOf(platform, userId) {
    return (await regionalSettings(platform, userId))?.timeZone ?? 'UTC';
  },
  async localeOf(platform, userId) {
    return (await regionalSettings(platform, userId))?.locale ?? 'en';
  },
};

/** The job key of a note's delivery: scheduling again replaces it, cancelling removes it. */
export const deliveryKey = (noteId: string) => `love-note:${noteId}`;

/** Enqueues the delivery job of a scheduled note at its time, in the caller's transaction. */
export async function scheduleDelivery(
  trx: Executor,
  note: { id: string; couple_id: string; scheduled_at: Date | null },
): Promise<void> {
  if (note.scheduled_at === null) return;
  await schedule(
    trx,
    {
      name: 'love-note.deliver',
      payload: { coupleId: note.couple_id, noteId: note.id },
      key: deliveryKey(note.id),
    },
    new Date(note.scheduled_at),
  );
}

/** Drops a note's pending delivery job, in the caller's transaction. */
export async function cancelDelivery(trx: Executor, noteId: string): Promise<void> {
  await cancel(trx, deliveryKey(noteId));
}
