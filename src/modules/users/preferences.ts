import { sql } from 'kysely';
import type { UsersContext } from './context.ts';
import type { Preferences, PreferencesUpdate } from './schemas.ts';
import { activeProfile } from './service.ts';

/**
 * Profile-level settings: quiet hours (the notifications module reads them
 * through `notificationProfile`), week start and units. Which notification
 * reaches a person on which channel is the notifications module's
 * (`/v1/notifications/preferences`), not kept here. Stored as the user's
 * overrides only, merged over the defaults on read.
 */

export function defaultPreferences(): Preferences {
  return {
    quietHours: { enabled: false, start: '22:00', end: '07:00' },
    weekStart: 'monday',
    units: 'metric',
  };
}

type Overrides = PreferencesUpdate;

export function mergePreferences(base: Preferences, overrides: Overrides): Preferences {
  return {
    quietHours: { ...base.quietHours, ...(overrides.quietHours ?? {}) },
    weekStart: overrides.weekStart ?? base.weekStart,
    units: overrides.units ?? base.units,
  };
}

/** Merges two override sets (what is stored + what a PATCH brings). */
function mergeOverrides(stored: Overrides, patch: Overrides): Overrides {
  // Switches an older version kept here (`notifications`) are dropped on the next write.
  const { notifications: _dropped, ...rest } = stored as Overrides & { notifications?: unknown };
  return {
    ...rest,
    ...patch,
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
