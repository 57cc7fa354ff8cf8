import type { Executor } from '../../platform/bus/publish.ts';
import { cancel, schedule } from '../../platform/jobs/schedule.ts';
import type { Platform } from '../../platform/platform.ts';
import { activeCoupleOf } from '../couples/index.ts';
import { profileCards } from '../users/index.ts';

/**
 * The one file where love-notes meets other modules (auth, couples, users)
 * and the jobs platform: everything it needs from them goes through here.
 */
export interface CoupleFacts {
  coupleId: string;
  partnerId: string | null;
  /** The day the couple linked (or their chosen anniversary), for {{daysTogether}} / {{anniversary}}. */
  since: Date | null;
}

export interface LoveNotesDeps {
  /** The caller's active couple, or null (couples module: `activeCoupleOf`). */
  coupleOf(platform: Platform, userId: string): Promise<CoupleFacts | null>;
  /** Display names for template variables (users module: profile cards). */
  displayNameOf(platform: Platform, userId: string): Promise<string | null>;
  /** The user's IANA time zone preference (users module); 'UTC' when unknown. */
  timeZoneOf(platform: Platform, userId: string): Promise<string>;
}

/** The auth module's route guard: a verified access token made `request.user`. */
export { requireAuth } from '../auth/index.ts';

/**
 * Couples and users are on main. Two facts are not in their public services
 * yet: the couple's start date ({{daysTogether}}, {{anniversary}}: null until
 * couples exports it, so those variables must be passed by the client) and
 * the user's time-zone preference ('UTC' until users exports it; clients pass
 * `timeZone`).
 */
export const defaultDeps: LoveNotesDeps = {
  async coupleOf(platform, userId) {
    const couple = await activeCoupleOf(platform.database.db, userId);
    return couple ? { ...couple, since: null } : null;
  },
  async displayNameOf(platform, userId) {
    return (await profileCards(platform, [userId])).get(userId)?.displayName ?? null;
  },
  timeZoneOf: async () => 'UTC',
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
