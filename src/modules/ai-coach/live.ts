import type { Static } from 'typebox';
import type { Platform } from '../../platform/platform.ts';
import { eventId, isAfter, type LiveEvent, type LivePosition } from '../../platform/realtime/live-events.ts';
import { hubFor } from '../../platform/realtime/live-hub.ts';
import type { MessageRow } from './repo.ts';
import type { MessageView } from './schemas.ts';
import type { CoachDb } from './tables.ts';
import { messageView } from './view.ts';

declare module '../../platform/realtime/live-events.ts' {
  interface LiveEventMap {
    /** A coach reply was stored: the owner's other devices show it (a streaming client dedupes by id). */
    'coach.reply': { conversationId: string; message: Static<typeof MessageView> };
  }
}

export const COACH_LIVE = ['coach.reply'] as const;

const liveReply = (row: MessageRow, message: Static<typeof MessageView>): LiveEvent<'coach.reply'> => ({
  type: 'coach.reply',
  id: eventId(row.created_at, row.id),
  data: { conversationId: row.conversation_id, message },
});

/** After the reply is stored: the owner's open connections get it. */
export function pushReply(platform: Platform, row: MessageRow, plaintext: string): void {
  hubFor(platform).push(row.user_id, liveReply(row, messageView(row, platform.encryption, plaintext)));
}

/** The replies a reconnecting client missed, rebuilt from the messages table (oldest first, at most 100). */
export async function missedReplies(
  platform: Platform,
  userId: string,
  since: LivePosition,
): Promise<LiveEvent[]> {
  const rows = await (platform.database.db as CoachDb)
    .selectFrom('ai_coach_messages')
    .selectAll()
    .where('user_id', '=', userId)
    .where('role', '=', 'assistant')
    .where('kind', '!=', 'disclosure')
    .where('created_at', '>=', since.at)
    .orderBy('created_at')
    .orderBy('id')
    .limit(100)
    .execute();
  return rows
    .map((row) => liveReply(row, messageView(row, platform.encryption)))
    .filter((event) => isAfter(event.id, since));
}
