import { sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Static } from 'typebox';
import { queryTemplate } from '../../platform/db/query-template.ts';
import type { AuthUser } from '../../platform/http/auth-context.ts';
import { notFound } from '../../platform/http/errors.ts';
import { decodeCursor, type Page, toPage } from '../../platform/http/pagination.ts';
import { outcomesOf } from './channel-outcomes.ts';
import type { NotesContext } from './context.ts';
import { visibleNote } from './interactions.ts';
import { reactionsOf } from './repo.ts';
import type { DeliveryStep, ListNotesQuery } from './schemas.ts';
import type { NotesDb } from './tables.ts';
import { type NoteView, timeline, toView, VIEW_COLUMNS } from './view.ts';

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

interface ListParams {
  coupleId: string;
  userId: string;
  status: string;
  favorite: boolean;
  from: Date;
  to: Date;
  cursorTime: Date;
  cursorId: string;
  limit: number;
}

/**
 * (Exported for test/modules/love-notes-plan.test.ts, which checks its generic plan.)
 * The list query of one shape: the box and which optional filters are set
 * (`inbox:` is a first inbox page), e.g. `sent:s<c` for status, from and a
 * cursor. Built once per shape and then only bound (queryTemplate).
 */
export const listQuery = queryTemplate((db: NotesDb, p: ListParams, shape: string) => {
  const [box, filters = ''] = shape.split(':');
  const timeColumn = box === 'scheduled' ? 'created_at' : 'delivered_at';
  // Reactions come in the same query (one round trip per page). Only the columns the view reads.
  let q = db
    .selectFrom('love_notes_notes')
    .select(VIEW_COLUMNS)
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
    .where('couple_id', '=', p.coupleId);
  // The fixed conditions are literals, not parameters: the inbox index is partial (`kind = 'note'`),
  // and only a literal lets PostgreSQL's generic plan of this prepared statement use it. With
  // parameters every execution was planned again (custom plans), 2–13 ms a miss over the five
  // partitions, growing with the couple's notes; the generic plan is then kept and reused.
  if (box === 'inbox') {
    q = q
      .where('recipient_id', '=', p.userId)
      .where('kind', '=', sql.lit('note'))
      .where('delivered_at', 'is not', null)
      .where('hidden_by_recipient', '=', sql.lit(false))
      .where('status', '!=', sql.lit('cancelled'));
  } else if (box === 'sent') {
    q = q
      .where('sender_id', '=', p.userId)
      .where('kind', '=', sql.lit('note'))
      .where('delivered_at', 'is not', null);
    // `x`: the sent box asked for its cancelled notes.
    if (!filters.includes('x')) q = q.where('status', '!=', sql.lit('cancelled'));
  } else {
    q = q.where('sender_id', '=', p.userId).where('status', '=', sql.lit('scheduled'));
  }
  if (filters.includes('s')) {
    // What the sender sees: a read note without a receipt is `delivered` to them.
    const seen = sql<string>`case when status = 'read' and sender_id = ${p.userId} and not read_receipt then 'delivered' else status end`;
    q = q.where(seen, '=', p.status);
  }
  if (filters.includes('f')) {
    q = q.where(box === 'inbox' ? 'favorite_by_recipient' : 'favorite_by_sender', '=', p.favorite);
  }
  if (filters.includes('<')) q = q.where(timeColumn, '>=', p.from);
  if (filters.includes('>')) q = q.where(timeColumn, '<', p.to);
  if (filters.includes('c')) {
    q = q.where((eb) =>
      eb.or([
        eb(timeColumn, '<', p.cursorTime),
        eb.and([eb(timeColumn, '=', p.cursorTime), eb('id', '<', p.cursorId)]),
      ]),
    );
  }
  return q.orderBy(timeColumn, 'desc').orderBy('id', 'desc').limit(p.limit);
});

/** A filter value the query's shape leaves out (never sent). */
const NO_TIME = new Date(0);

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
  const filters =
    (box === 'sent' && query.status === 'cancelled' ? 'x' : '') +
    (query.status ? 's' : '') +
    (query.favorite !== undefined ? 'f' : '') +
    (query.from ? '<' : '') +
    (query.to ? '>' : '') +
    (cursor ? 'c' : '');
  // The primary while the response cache is on (a miss is stored as fresh), else a replica when configured.
  const { rows } = await listQuery(
    ctx.reader,
    {
      coupleId: couple.coupleId,
      userId: user.id,
      status: query.status ?? '',
      favorite: query.favorite ?? false,
      from: query.from ? new Date(query.from) : NO_TIME,
      to: query.to ? new Date(query.to) : NO_TIME,
      cursorTime: cursor ? new Date(cursor.t) : NO_TIME,
      cursorId: cursor?.id ?? '',
      limit: limit + 1,
    },
    `${box}:${filters}`,
  );
  const page = toPage(rows, limit, (row) => ({
    t: new Date(row[timeColumn] as Date).toISOString(),
    id: row.id,
  }));
  return {
    // The row goes to toView as it is (it reads only the view's columns), not copied without `reactions`.
    items: page.items.map((row) =>
      toView(
        row,
        user.id,
        ctx.platform.encryption,
        // json_agg writes times as PostgreSQL text; the API speaks ISO 8601 in UTC.
        row.reactions.map((r) => ({ ...r, createdAt: new Date(r.createdAt).toISOString() })),
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
