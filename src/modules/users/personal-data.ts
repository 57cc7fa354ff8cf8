import type { PersonalData } from '../../platform/module.ts';
import type { Platform } from '../../platform/platform.ts';
import { consentHistory } from './consents.ts';
import { exportKey } from './export.ts';
import { defaultPreferences, mergePreferences } from './preferences.ts';
import { avatarPrefix, toFull } from './presenters.ts';
import * as repo from './repo.ts';
import type { UsersDb } from './tables.ts';

/** What the users module holds about a person, for export and erasure. */
export const usersPersonalData: PersonalData = {
  async export(platform: Platform, userId: string) {
    const db = platform.database.db as UsersDb;
    const profile = await repo.findProfile(db, { userId });
    const preferences = await db
      .selectFrom('users_preferences')
      .select('preferences')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    const exports = await db
      .selectFrom('users_exports')
      .select(['id', 'status', 'created_at', 'completed_at'])
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .execute();
    return {
      profile: profile ? toFull(platform.storage, profile) : null,
      preferences: mergePreferences(defaultPreferences(), (preferences?.preferences ?? {}) as never),
      consents: await consentHistory(db, userId),
      exports,
    };
  },

  async erase(platform: Platform, userId: string) {
    const db = platform.database.db as UsersDb;
    const exports = await db.selectFrom('users_exports').select('id').where('user_id', '=', userId).execute();
    for (const row of exports) await platform.storage.delete(exportKey(userId, row.id));
    await platform.storage.deletePrefix(avatarPrefix(userId));
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('users_handles').where('user_id', '=', userId).execute();
      await trx.deleteFrom('users_preferences').where('user_id', '=', userId).execute();
      await trx.deleteFrom('users_consents').where('user_id', '=', userId).execute();
      await trx.deleteFrom('users_exports').where('user_id', '=', userId).execute();
      await trx.deleteFrom('users_profiles').where('user_id', '=', userId).execute();
    });
  },
};
