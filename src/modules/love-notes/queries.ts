import { sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Static } from 'typebox';
import type { AuthUser } from '../../platform/http/auth-context.ts';
import { notFound } from '../../platform/http/errors.ts';
import { decodeCursor, type Page, toPage } from '../../platform/http/pagination.ts';
import { outcomesOf } from './channel-outcomes.ts';
import type { NotesContext } from './context.ts';
import { visibleNote } from './interactions.ts';
import { reactionsOf } from './repo.ts';
import type { DeliveryStep, ListNotesQuery } from './schemas.ts';
import { type NoteView, timeline, toView } from './view.ts';

type Cursor = { t: string; id: string };

/**
 * Whose notes a list shows: the couple asked for, if it is the caller's
 * active couple or a closed one in its read-only period (else 404); by
 * default the active couple, or without one the couple that closed last.
 */
async function listedCouple(ctx: NotesContext, userId: string, coupleId: string | undefined) {
  const active = await ctx.deps.coupleOf(ctx.platform, userId);
  if (active && (coupleId === undefined || coupleId === active.coupleId)) return active;
  const closed = await ctx.deps.readOnlyCouplesOf(ctx.platform, userId);
  if (coupleId === undefined) return closed[0] ?? null;
  const found = closed.find((c) => c.coupleId === coupleId);
  if (!found) throw notFound('Couple', coupleId);
  return found;
}

/**
 * Inbox (received), sent (delivered by me) and scheduled (waiting) boxes,
 * newest first by delivery time (creation time for the scheduled box), with
 * keyset cursors on (time, id).
 */
export async function listNotes(
  ctx: NotesContext,
  user: AuthUser,
  query: Static<typeof ListNotesQuery>,
): Promise<Page<NoteView>> {
  const limit = query.limit ?? 20;
  const box = query.box ?? 'inbox';
  const cursor = decodeCursor<Cursor>(query.cursor, ['t', 'id']);
  const couple = await listedCouple(ctx, user.id, query.coupleId);
  if (!couple) return { items: [], nextCursor: null };
  const timeColumn = box === 'scheduled' ? 'created_at' : 'delivered_at';
  // Reactions come in the same query (one round trip per page). A replica serves it when configured.
  let q = ctx.reader
    .selectFrom('love_notes_notes')
    .selectAll('love_notes_notes')
    .select((eb) =>
      jsonArrayFrom(
        eb
          .selectFrom('love_notes_reactions as r')
          .select(['r.user_id as userId', 'r.emoji', 'r.created_at as createdAt'])
          .whereRef('r.couple_id', '=', 'love_notes_notes.couple_id')
          .whereRef('r.note_id', '=', 'love_notes_notes.id')
          .orderBy('r.created_at'),
      ).as('reactions'),
    )
    .where('couple_id', '=', couple.coupleId);
  if (box === 'inbox') {
    q = q
      .where('recipient_id', '=', user.id)
      .where('kind', '=', 'note')
      .where('delivered_at', 'is not', null)
      .where('hidden_by_recipient', '=', false)
      .where('status', '!=', 'cancelled');
  } else if (box === 'sent') {
    q = q.where('sender_id', '=', user.id).where('kind', '=', 'note').where('delivered_at', 'is not', null);
    if (query.status !== 'cancelled') q = q.where('status', '!=', 'cancelled');
  } else {
    q = q.where('sender_id', '=', user.id).where('status', '=', 'scheduled');
  }
  if (query.status) {
    // What the sender sees: a read note without a receipt is `delivered` to them.
    const seen = sql<string>`case when status = 'read' and sender_id = ${user.id} and not read_receipt then 'delivered' else status end`;
    q = q.where(seen, '=', query.status);
  }
  if (query.favorite !== undefined) {
    const column = box === 'inbox' ? 'favorite_by_recipient' : 'favorite_by_sender';
    q = q.where(column, '=', query.favorite);
  }
  if (query.from) q = q.where(timeColumn, '>=', new Date(query.from));
  if (query.to) q = q.where(timeColumn, '<', new Date(query.to));
  if (cursor) {
    const t = new Date(cursor.t);
    q = q.where((eb) =>
      eb.or([eb(timeColumn, '<', t), eb.and([eb(timeColumn, '=', t), eb('id', '<', cursor.id)])]),
    );
  }
  const rows = await q
    .orderBy(timeColumn, 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const page = toPage(rows, limit, (row) => ({
    t: new Date(row[timeColumn] as Date).toISOString(),
    id: row.id,
  }));
  return {
    items: page.items.map(({ reactions, ...row }) =>
      toView(
        row,
        user.id,
        ctx.platform.encryption,
        // json_agg writes times as PostgreSQL text; the API speaks ISO 8601 in UTC.
        reactions.map((r) => ({ ...r, createdAt: new Date(r.createdAt).toISOString() })),
      ),
    ),
    nextCursor: page.nextCursor,
  };
}

export async function getNote(ctx: NotesContext, user: AuthUser, id: string): Promise<NoteView> {
  const row = await visibleNote(ctx, user.id, id, 'read');
  const reactions = await reactionsOf(ctx.db, { coupleId: row.couple_id }, [row.id]);
  return toView(row, user.id, ctx.platform.encryption, reactions.get(row.id));
}

export async function deliveries(
  ctx: NotesContext,
  user: AuthUser,
  id: string,
): Promise<Static<typeof DeliveryStep>[]> {
  const row = await visibleNote(ctx, user.id, id, 'read');
  const channels = await outcomesOf(ctx.db, { coupleId: row.couple_id }, row.id);
  const isRecipient = row.recipient_id === user.id;
  return [
    ...timeline(row, user.id),
    ...channels.map((outcome) => ({
      step: 'channel' as const,
      at: new Date(outcome.at).toISOString(),
      channel: outcome.channel,
      status: outcome.status as 'pending' | 'sent' | 'delivered' | 'failed' | 'suppressed',
      // Why a channel was skipped says something about the recipient's settings: theirs to see.
      ...(isRecipient ? { reason: outcome.reason } : {}),
    })),
  ];
}
