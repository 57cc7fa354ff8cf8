import { sql } from 'kysely';
import type { PersonalData } from '../../platform/module.ts';
import type { Platform } from '../../platform/platform.ts';
import { flagsOf } from './client.ts';
import type { FlagSettings } from './schemas.ts';
import type { FlagsDb } from './tables.ts';

/**
 * What feature flags hold about a person: the flags whose allow or deny list
 * names them, and, for an admin, the changes they made. Erasure takes them off
 * every list (in the definitions and in the audit's before/after copies) and
 * keeps the audit entries without their name.
 */
export const flagsPersonalData: PersonalData = {
  async export(platform: Platform, userId: string) {
    const db = platform.database.db as FlagsDb;
    const targeted = await db
      .selectFrom('feature_flags_flags')
      .select(['key', 'allow_users', 'deny_users'])
      .where((eb) =>
        eb.or([
          sql<boolean>`${userId}::uuid = any(allow_users)`,
          sql<boolean>`${userId}::uuid = any(deny_users)`,
        ]),
      )
      .orderBy('key')
      .execute();
    const changes = await db
      .selectFrom('feature_flags_audit')
      .select(['flag_key', 'action', 'occurred_at'])
      .where('actor_id', '=', userId)
      .orderBy('id')
      .execute();
    return {
      targetedBy: targeted.map((row) => ({
        flag: row.key,
        list: row.deny_users.includes(userId) ? 'deny' : 'allow',
      })),
      changesMade: changes.map((row) => ({
        flag: row.flag_key,
        action: row.action,
        occurredAt: row.occurred_at.toISOString(),
      })),
    };
  },
  async erase(platform: Platform, userId: string) {
    const db = platform.database.db as FlagsDb;
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable('feature_flags_flags')
        .set({
          allow_users: sql`array_remove(allow_users, ${userId}::uuid)`,
          deny_users: sql`array_remove(deny_users, ${userId}::uuid)`,
        })
        .where((eb) =>
          eb.or([
            sql<boolean>`${userId}::uuid = any(allow_users)`,
            sql<boolean>`${userId}::uuid = any(deny_users)`,
          ]),
        )
        .execute();
      await trx
        .updateTable('feature_flags_flags')
        .set({ updated_by: null })
        .where('updated_by', '=', userId)
        .execute();
      await trx
        .updateTable('feature_flags_audit')
        .set({ actor_id: null })
        .where('actor_id', '=', userId)
        .execute();
      const named = await trx
        .selectFrom('feature_flags_audit')
        .select(['id', 'before', 'after'])
        .where(sql<boolean>`coalesce(before::text, '') || coalesce(after::text, '') like ${`%${userId}%`}`)
        .execute();
      const scrub = (settings: unknown) => {
        if (!settings) return null;
        const s = settings as FlagSettings;
        const other = (id: string) => id !== userId;
        return JSON.stringify({
          ...s,
          allowUsers: s.allowUsers.filter(other),
          denyUsers: s.denyUsers.filter(other),
        });
      };
      for (const row of named) {
        await trx
          .updateTable('feature_flags_audit')
          .set({ before: scrub(row.before), after: scrub(row.after) })
          .where('id', '=', row.id)
          .execute();
      }
    });
    flagsOf(platform).store.invalidate();
  },
};
