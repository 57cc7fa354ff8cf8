import type { ExternalContact, ExternalProfile, NotificationsContext } from './context.ts';

export type { ExternalContact, ExternalProfile };

import { parseClock } from './quiet-hours.ts';
import { type Db, findRecipient } from './repo.ts';
import type { RecipientRow } from './tables.ts';

/**
 * How to reach a person: the email from the auth account, time zone, locale
 * and quiet hours from the users module's profile; this module's own record
 * fills what they do not know (a phone number, tests without those modules).
 */
export async function recipientOf(
  ctx: NotificationsContext,
  db: Db,
  userId: string,
): Promise<RecipientRow | undefined> {
  const [own, profile, contact] = await Promise.all([
    findRecipient(db, { userId }),
    ctx.profile(userId),
    ctx.contact(userId),
  ]);
  if (!profile && !contact) return own;
  const quiet = profile?.quietHours.enabled ?? false;
  return {
    user_id: userId,
    email: contact?.email ?? own?.email ?? null,
    phone: own?.phone ?? null,
    display_name: own?.display_name ?? null,
    preferences: own?.preferences ?? {},
    updated_at: own?.updated_at ?? new Date(0),
    time_zone: profile?.timeZone ?? own?.time_zone ?? 'UTC',
    locale: profile?.locale ?? own?.locale ?? 'en',
    quiet_start: profile
      ? quiet
        ? (parseClock(profile.quietHours.start) ?? null)
        : null
      : (own?.quiet_start ?? null),
    quiet_end: profile
      ? quiet
        ? (parseClock(profile.quietHours.end) ?? null)
        : null
      : (own?.quiet_end ?? null),
  };
}
