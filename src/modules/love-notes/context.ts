import type { Platform } from '../../platform/platform.ts';
import type { LoveNotesDeps } from './dependencies.ts';
import type { NotesDb } from './tables.ts';

/** A message for one user's live connections (WebSocket / SSE). */
export interface LiveMessage {
  type: 'love-note.created' | 'love-note.read' | 'love-note.reacted';
  data: unknown;
}

/** Pushes to users' live connections after a commit; a no-op until realtime is mounted. */
export interface LiveSink {
  push(userId: string, message: LiveMessage): void;
}

export interface NotesContext {
  platform: Platform;
  db: NotesDb;
  deps: LoveNotesDeps;
  live: LiveSink;
}

export const NO_LIVE: LiveSink = { push: () => {} };

export const bodyContext = (noteId: string) => `love_notes_notes.body:${noteId}`;
