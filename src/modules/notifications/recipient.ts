import type { ExternalContact, ExternalProfile, NotificationsContext } from './context.ts';

export type { ExternalContact, ExternalProfile };

import { parseClock } from './quiet-hours.ts';
import { type Db, findRecipients } from './repo.ts';
import type { RecipientRow } from './tables.ts';

/**
 * How to reach people: the email from the auth account, time zone, locale
 * and quiet hours from the users module's profile; this module's own record
 * fills what they do not know (a phone number, tests without those modules).
 * Three reads for any number of people, so a batch of notifications pays
 * them once. A person nobody knows is missing from the map.
 */
export async function recipientsOf(
  ctx: NotificationsContext,
  db: Db,
  userIds: string[],
): Promise<Map<string, RecipientRow>> {
  const ids = [...new Set(userIds)];
  const recipients = new Map<string, RecipientRow>();
  if (ids.length === 0) return recipients;
  const [own, profiles, contacts] = await Promise.all([
    findRecipients(db, ids),
    ctx.profiles(ids),
    ctx.contacts(ids),
  ]);
  const owns = new Map(own.map((row) => [row.user_id, row]));
  for (const userId of ids) {
    const recipient = merge(userId, owns.get(userId), profiles.get(userId), contacts.get(userId));
    if (recipient) recipients.set(userId, recipient);
  }
  return recipients;
}

/** `recipientsOf` for one person. */
export async function recipientOf(
  ctx: NotificationsContext,
  db: Db,
  userId: string,
): Promise<RecipientRow | undefined> {
  return (await recipientsOf(ctx, db, [userId])).get(userId);
}

function merge(
  userId: string,
  own: RecipientRow | undefined,
  profile: ExternalProfile | undefined,
  contact: ExternalContact | undefined,
): RecipientRow | undefined {
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
