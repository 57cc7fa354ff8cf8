import type { Platform } from '../../platform/platform.ts';
import type { LiveEventMap } from '../../platform/realtime/live-events.ts';
import type { LoveNotesDeps } from './dependencies.ts';
import type { NotesDb } from './tables.ts';

/** A message for one user's live connections (WebSocket / SSE), before the hub gives it an id. */
export type LiveMessage = {
  [T in 'love-note.created' | 'love-note.read' | 'love-note.reacted']: { type: T; data: LiveEventMap[T] };
}['love-note.created' | 'love-note.read' | 'love-note.reacted'];

/** Pushes to users' live connections after a commit; a no-op until realtime is mounted. */
export interface LiveSink {
  push(userId: string, message: LiveMessage): void;
}

export interface NotesContext {
  platform: Platform;
  db: NotesDb;
  /**
   * The lists' pool (`GET /love-notes` is response-cached): the primary while the response cache
   * is on, else a replica when configured (read-your-writes holds); see `cachedRouteReader`.
   */
  reader: NotesDb;
  deps: LoveNotesDeps;
  live: LiveSink;
}

export const NO_LIVE: LiveSink = { push: () => {} };

export const bodyContext = (noteId: string) => `love_notes_notes.body:${noteId}`;
