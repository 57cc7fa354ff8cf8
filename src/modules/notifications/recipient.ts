import type { NotificationsContext } from './context.ts';
import { parseClock } from './quiet-hours.ts';
import { type Db, findRecipient } from './repo.ts';
import type { RecipientRow } from './tables.ts';

/** What the users module says about a person (see `notificationProfile` there). */
export interface ExternalProfile {
  timeZone: string;
  locale: string;
  quietHours: { enabled: boolean; start: string; end: string };
}

/**
 * How to reach a person: email and phone from this module's own record
 * (kept from events), time zone, locale and quiet hours from the users
 * module's profile when it has one.
 */
export async function recipientOf(
  ctx: NotificationsContext,
  db: Db,
  userId: string,
): Promise<RecipientRow | undefined> {
  const [own, profile] = await Promise.all([findRecipient(db, { userId }), ctx.profile(userId)]);
  if (!profile) return own;
  const quiet = profile.quietHours.enabled;
  return {
    user_id: userId,
    email: own?.email ?? null,
    phone: own?.phone ?? null,
    display_name: own?.display_name ?? null,
    preferences: own?.preferences ?? {},
    updated_at: own?.updated_at ?? new Date(0),
    time_zone: profile.timeZone,
    locale: profile.locale,
    quiet_start: quiet ? (parseClock(profile.quietHours.start) ?? null) : null,
    quiet_end: quiet ? (parseClock(profile.quietHours.end) ?? null) : null,
  };
}
