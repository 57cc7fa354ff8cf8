import type { PersonalData } from '../../platform/module.ts';
import type { Platform } from '../../platform/platform.ts';
import type { ApiKeysDb } from './tables.ts';

/**
 * Keys belong to the integration, not to the admin who made them: the export
 * lists the keys a person made (never hashes), erasure removes their name
 * from them and leaves the keys working.
 */
export const apiKeysPersonalData: PersonalData = {
  async export(platform: Platform, userId: string) {
    const db = platform.database.db as ApiKeysDb;
    const rows = await db
      .selectFrom('api_keys_keys')
      .select(['id', 'name', 'prefix', 'scopes', 'created_at', 'revoked_at'])
      .where('created_by', '=', userId)
      .orderBy('id')
      .execute();
    return {
      keysCreated: rows.map((r) => ({
        id: r.id,
        name: r.name,
        prefix: r.prefix,
        scopes: r.scopes,
        createdAt: r.created_at,
        revokedAt: r.revoked_at,
      })),
    };
  },
  async erase(platform: Platform, userId: string) {
    const db = platform.database.db as ApiKeysDb;
    await db
      .updateTable('api_keys_keys')
      .set({ created_by: null })
      .where('created_by', '=', userId)
      .execute();
  },
};
