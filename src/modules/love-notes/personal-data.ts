import type { PersonalData } from '../../platform/module.ts';
import type { Platform } from '../../platform/platform.ts';
import { forgetBoxes } from './cache.ts';
import { deleteOutcomesOf } from './channel-outcomes.ts';
import { bodyContext } from './context.ts';
import type { NotesDb } from './tables.ts';

/** What love-notes holds about a person: notes they sent or received, reactions, templates, settings. */
export const loveNotesPersonalData: PersonalData = {
  async export(platform: Platform, userId: string) {
    const db = platform.database.db as NotesDb;
    const notes = await db
      .selectFrom('love_notes_notes')
      .selectAll()
      .where((eb) => eb.or([eb('sender_id', '=', userId), eb('recipient_id', '=', userId)]))
      .orderBy('created_at')
      .execute();
    const reactions = await db
      .selectFrom('love_notes_reactions')
      .select(['note_id', 'emoji', 'created_at'])
      .where('user_id', '=', userId)
      .execute();
    const templates = await db
      .selectFrom('love_notes_templates')
      .select(['id', 'category', 'title', 'body', 'created_at'])
      .where('user_id', '=', userId)
      .execute();
    const settings = await db
      .selectFrom('love_notes_settings')
      .select(['read_receipts'])
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return {
      notes: notes.map((n) => ({
        id: n.id,
        direction: n.sender_id === userId ? 'sent' : 'received',
        body: platform.encryption.decrypt(n.body, bodyContext(n.id)),
        mood: n.mood,
        status: n.status,
        scheduledAt: n.scheduled_at,
        recurrence: n.recurrence,
        deliveredAt: n.delivered_at,
        readAt: n.recipient_id === userId || n.read_receipt ? n.read_at : null,
        createdAt: n.created_at,
      })),
      reactions,
      templates,
      settings: { readReceipts: settings?.read_receipts ?? true },
    };
  },
  // Notes are the couple's shared history, but each was written by or to this
  // person: erasing them removes both directions (reactions go by cascade, channel outcomes here).
  async erase(platform: Platform, userId: string) {
    const db = platform.database.db as NotesDb;
    const deleted = await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('love_notes_reactions').where('user_id', '=', userId).execute();
      const notes = await trx
        .deleteFrom('love_notes_notes')
        .where((eb) => eb.or([eb('sender_id', '=', userId), eb('recipient_id', '=', userId)]))
        .returning(['couple_id', 'id', 'sender_id', 'recipient_id'])
        .execute();
      await deleteOutcomesOf(trx, notes);
      await trx.deleteFrom('love_notes_templates').where('user_id', '=', userId).execute();
      await trx.deleteFrom('love_notes_settings').where('user_id', '=', userId).execute();
      return notes;
    });
    // Their partner's lists showed these notes too (two tags per direction, however many notes).
    const people = new Map(deleted.flatMap((n) => [[`${n.sender_id}|${n.recipient_id}`, n] as const]));
    await forgetBoxes(platform, [...people.values()]);
  },
};
