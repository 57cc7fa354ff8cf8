import { useQueryClient } from '@tanstack/react-query';
import { useLiveEvents } from '../realtime/useLiveEvents.ts';
import { patchNote, prependNote } from './cache.ts';
import type { Note } from './types.ts';

interface ReadData {
  id: string;
  readAt: string | null;
}
interface ReactedData {
  id: string;
  userId: string;
  emoji: string;
  removed: boolean;
}

/**
 * The notes pages keep the React Query cache in step with the realtime socket:
 * an arriving note goes to the top of the inbox, a read receipt marks the sent
 * note read, a partner's reaction shows on the note. No refetch, no reload.
 */
export function useNotesLive(): void {
  const client = useQueryClient();
  useLiveEvents((event) => {
    switch (event.type) {
      case 'love-note.created': {
        const note = event.data as Note;
        prependNote(client, 'inbox', note);
        patchNote(client, note.id, () => note);
        return;
      }
      case 'love-note.read': {
        const { id, readAt } = event.data as ReadData;
        patchNote(client, id, (note) => ({
          ...note,
          status: 'read',
          readAt: readAt ?? new Date().toISOString(),
        }));
        return;
      }
      case 'love-note.reacted': {
        const { id, userId, emoji, removed } = event.data as ReactedData;
        patchNote(client, id, (note) => {
          const others = note.reactions.filter((r) => !(r.userId === userId && r.emoji === emoji));
          return {
            ...note,
            reactions: removed ? others : [...others, { userId, emoji, createdAt: new Date().toISOString() }],
          };
        });
        return;
      }
    }
  });
}
