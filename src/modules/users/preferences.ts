import { sql } from 'kysely';
import type { UsersContext } from './context.ts';
import { CHANNELS, NOTIFICATION_CATEGORIES, type Preferences, type PreferencesUpdate } from './schemas.ts';
import { activeProfile } from './service.ts';

/**
 * Notification categories × channels, quiet hours, week start and units.
 * Stored as the user's overrides only, merged over the defaults on read, so
 * a new category or channel reaches existing users with its default.
 */

// Marketing (product news) is opt-in; everything about the relationship is on
// where it is free to deliver (push, in-app) and e-mail/SMS stay quiet.
function defaultSwitches(category: string): Record<string, boolean> {
  const marketing = category === 'product-news';
  return Object.fromEntries(
    CHANNELS.map((channel) => [channel, !marketing && (channel === 'push' || channel === 'in-app')]),
  );
}

export function defaultPreferences(): Preferences {
  return {
    notifications: Object.fromEntries(NOTIFICATION_CATEGORIES.map((c) => [c, defaultSwitches(c)])),
    quietHours: { enabled: false, start: '22:00', end: '07:00' },
    weekStart: 'monday',
    units: 'metric',
  };
}

type Overrides = PreferencesUpdate;

export function mergePreferences(base: Preferences, overrides: Overrides): Preferences {
  const notifications = { ...base.notifications };
  for (const [category, switches] of Object.entries(overrides.notifications ?? {})) {
    if (!switches || !(category in notifications)) continue;
    const merged = { ...notifications[category] };
    for (const [channel, on] of Object.entries(switches)) if (on !== undefined) merged[channel] = on;
    notifications[category] = merged;
  }
  return {
    notifications,
    quietHours: { ...base.quietHours, ...(overrides.quietHours ?? {}) },
    weekStart: overrides.weekStart ?? base.weekStart,
    units: overrides.units ?? base.units,
  };
}

/** Merges two override sets (what is stored + what a PATCH brings). */
function mergeOverrides(stored: Overrides, patch: Overrides): Overrides {
  const notifications: Record<string, Record<string, boolean | undefined>> = {
    ...(stored.notifications ?? {}),
  };
  for (const [category, switches] of Object.entries(patch.notifications ?? {})) {
    notifications[category] = { ...(notifications[category] ?? {}), ...switches };
  }
  return {
    ...stored,
    ...patch,
    notifications: notifications as Overrides['notifications'],
    quietHours: { ...(stored.quietHours ?? {}), ...(patch.quietHours ?? {}) },
  };
}

async function storedOverrides(ctx: UsersContext, userId: string): Promise<Overrides> {
  const row = await ctx.db
    .selectFrom('users_preferences')
    .select('preferences')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return (row?.preferences ?? {}) as Overrides;
}

export async function getPreferences(ctx: UsersContext, userId: string): Promise<Preferences> {
  await activeProfile(ctx, userId);
  return mergePreferences(defaultPreferences(), await storedOverrides(ctx, userId));
}

export async function updatePreferences(
  ctx: UsersContext,
  userId: string,
  patch: PreferencesUpdate,
): Promise<Preferences> {
  await activeProfile(ctx, userId);
  const overrides = await ctx.db.transaction().execute(async (trx) => {
    // Serialise concurrent PATCHes of one user so neither loses the other's change.
    await sql`select pg_advisory_xact_lock(hashtextextended(${`users.preferences:${userId}`}, 0))`.execute(
      trx,
    );
    const row = await trx
      .selectFrom('users_preferences')
      .select('preferences')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    const next = mergeOverrides((row?.preferences ?? {}) as Overrides, patch);
    await trx
      .insertInto('users_preferences')
      .values({ user_id: userId, preferences: JSON.stringify(next), updated_at: new Date() })
      .onConflict((oc) =>
        oc.column('user_id').doUpdateSet({ preferences: JSON.stringify(next), updated_at: new Date() }),
      )
      .execute();
    return next;
  });
  return mergePreferences(defaultPreferences(), overrides);
}
