import type { PersonalData } from '../../platform/module.ts';
import type { Platform } from '../../platform/platform.ts';
import type { ContentDb } from './tables.ts';

/**
 * Content holds data about staff only: an author profile (byline, bio),
 * the items they created or last changed, the revisions they saved and the
 * media they uploaded. Erasure keeps the published work (it belongs to the
 * library) but cuts every link to the person: the profile loses its account
 * and becomes "Former contributor", editor ids become null.
 */
export const contentPersonalData: PersonalData = {
  async export(platform: Platform, userId: string) {
    const db = platform.database.db as unknown as ContentDb;
    const author = await db
      .selectFrom('content_authors')
      .select(['id', 'name', 'bio', 'created_at'])
      .where('user_id', '=', userId)
      .executeTakeFirst();
    const items = await db
      .selectFrom('content_items')
      .select(['id', 'slug', 'title', 'status', 'created_at'])
      .where((eb) => eb.or([eb('created_by', '=', userId), eb('updated_by', '=', userId)]))
      .orderBy('created_at')
      .execute();
    const revisions = await db
      .selectFrom('content_revisions')
      .select(['item_id', 'revision', 'title', 'created_at'])
      .where('editor_id', '=', userId)
      .orderBy('created_at')
      .execute();
    const media = await db
      .selectFrom('content_media')
      .select(['id', 'kind', 'content_type', 'bytes', 'created_at'])
      .where('uploaded_by', '=', userId)
      .execute();
    return { author: author ?? null, items, revisions, media };
  },
  async erase(platform: Platform, userId: string) {
    const db = platform.database.db as unknown as ContentDb;
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable('content_authors')
        .set({ user_id: null, name: 'Former contributor', bio: '' })
        .where('user_id', '=', userId)
        .execute();
      await trx
        .updateTable('content_items')
        .set({ created_by: null })
        .where('created_by', '=', userId)
        .execute();
      await trx
        .updateTable('content_items')
        .set({ updated_by: null })
        .where('updated_by', '=', userId)
        .execute();
      await trx
        .updateTable('content_revisions')
        .set({ editor_id: null })
        .where('editor_id', '=', userId)
        .execute();
      await trx
        .updateTable('content_media')
        .set({ uploaded_by: null })
        .where('uploaded_by', '=', userId)
        .execute();
    });
  },
};
