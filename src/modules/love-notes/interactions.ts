import { publish } from '../../platform/bus/publish.ts';
import type { AuthUser } from '../../platform/http/auth-context.ts';
import { forbidden, notFound } from '../../platform/http/errors.ts';
import { forgetBoxes } from './cache.ts';
import { readOnlyNote, refuseChange } from './closed-couples.ts';
import type { NotesContext } from './context.ts';
import { noteRef } from './events.ts';
import { findNote, reactionsOf, visibleTo } from './repo.ts';
import type { NoteRow } from './tables.ts';
import { type NoteView, toView } from './view.ts';

/**
 * A note the user sent or received (and has not hidden), or 404. `read` also
 * finds it in a closed couple still in its read-only period; `write` (the
 * default) answers 409 for such a note, whose couple can no longer change.
 */
export async function visibleNote(
  ctx: NotesContext,
  userId: string,
  id: string,
  mode: 'read' | 'write' = 'write',
): Promise<NoteRow> {
  const couple = await ctx.deps.coupleOf(ctx.platform, userId);
  const row = couple
    ? await ctx.db
        .selectFrom('love_notes_notes')
        .selectAll()
        .where('couple_id', '=', couple.coupleId)
        .where('id', '=', id)
        .where(visibleTo(userId))
        .executeTakeFirst()
    : undefined;
  if (row) return row;
  if (mode === 'write') return refuseChange(ctx, userId, id);
  const closed = await readOnlyNote(ctx, userId, id);
  if (!closed) throw notFound('Love note', id);
  return closed;
}

async function view(ctx: NotesContext, row: NoteRow, viewerId: string): Promise<NoteView> {
  const reactions = await reactionsOf(ctx.db, { coupleId: row.couple_id }, [row.id]);
  return toView(row, viewerId, ctx.platform.encryption, reactions.get(row.id));
}

export async function readReceiptsOn(ctx: NotesContext, userId: string): Promise<boolean> {
  const row = await ctx.db
    .selectFrom('love_notes_settings')
    .select('read_receipts')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.read_receipts ?? true;
}

export async function setReadReceipts(ctx: NotesContext, userId: string, on: boolean) {
  await ctx.db
    .insertInto('love_notes_settings')
    .values({ user_id: userId, read_receipts: on })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ read_receipts: on, updated_at: new Date() }))
    .execute();
  return { readReceipts: on };
}

/**
 * The recipient marks a note read. With read receipts off they still see it
 * as read themselves, but the sender is told nothing and keeps `delivered`.
 */
export async function markRead(ctx: NotesContext, user: AuthUser, id: string): Promise<NoteView> {
  const visible = await visibleNote(ctx, user.id, id);
  if (visible.recipient_id !== user.id) throw forbidden('Only the recipient can mark a note read');
  if (visible.status === 'read') return view(ctx, visible, user.id);
  const receipt = await readReceiptsOn(ctx, user.id);
  const row = await ctx.db.transaction().execute(async (trx) => {
    const now = new Date();
    const updated = await trx
      .updateTable('love_notes_notes')
      .set({ status: 'read', read_at: now, read_receipt: receipt, updated_at: now })
      .where('couple_id', '=', visible.couple_id)
      .where('id', '=', id)
      .where('status', 'in', ['sent', 'delivered'])
      .returningAll()
      .executeTakeFirst();
    if (!updated) return findNote(trx, { coupleId: visible.couple_id }, id);
    // Without a receipt the sender must learn nothing, so nothing is published.
    if (receipt) {
      await publish(
        trx,
        'love-note.read',
        { ...noteRef(updated), readAt: now.toISOString(), receipt: true },
        { actorId: user.id, coupleId: updated.couple_id },
      );
    }
    return updated;
  });
  if (!row) throw notFound('Love note', id);
  await forgetBoxes(ctx.platform, [row]);
  if (receipt && row.status === 'read') {
    ctx.live.push(row.sender_id, { type: 'love-note.read', data: { id: row.id, readAt: row.read_at } });
  }
  return view(ctx, row, user.id);
}

export async function react(
  ctx: NotesContext,
  user: AuthUser,
  id: string,
  emoji: string,
  removed: boolean,
): Promise<NoteView> {
  const note = await visibleNote(ctx, user.id, id);
  if (note.delivered_at === null) throw notFound('Love note', id);
  await ctx.db.transaction().execute(async (trx) => {
    const changed = removed
      ? (
          await trx
            .deleteFrom('love_notes_reactions')
            .where('couple_id', '=', note.couple_id)
            .where('note_id', '=', id)
            .where('user_id', '=', user.id)
            .where('emoji', '=', emoji)
            .executeTakeFirst()
        ).numDeletedRows > 0n
      : (
          await trx
            .insertInto('love_notes_reactions')
            .values({ couple_id: note.couple_id, note_id: id, user_id: user.id, emoji })
            .onConflict((oc) => oc.doNothing())
            .executeTakeFirst()
        ).numInsertedOrUpdatedRows !== 0n;
    // Taking a reaction back notifies nobody.
    if (!changed || removed) return;
    await publish(
      trx,
      'love-note.reacted',
      { ...noteRef(note), userId: user.id, reaction: emoji },
      { actorId: user.id, coupleId: note.couple_id },
    );
  });
  await forgetBoxes(ctx.platform, [note]);
  const other = note.sender_id === user.id ? note.recipient_id : note.sender_id;
  ctx.live.push(other, { type: 'love-note.reacted', data: { id, userId: user.id, emoji, removed } });
  return view(ctx, note, user.id);
}

export async function setFavorite(ctx: NotesContext, user: AuthUser, id: string, favorite: boolean) {
  const note = await visibleNote(ctx, user.id, id);
  const column = note.sender_id === user.id ? 'favorite_by_sender' : 'favorite_by_recipient';
  const row = await ctx.db
    .updateTable('love_notes_notes')
    .set({ [column]: favorite })
    .where('couple_id', '=', note.couple_id)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await forgetBoxes(ctx.platform, [row]);
  return view(ctx, row, user.id);
}
