import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import { notesKeys } from './keys.ts';
import type { Box, Note, NotesPage } from './types.ts';

type Pages = InfiniteData<NotesPage, string | null>;

/**
 * Changes one note wherever it is cached (every box and filter, and its own
 * entry), so a read, a reaction or a favourite shows on every list at once.
 */
export function patchNote(client: QueryClient, id: string, change: (note: Note) => Note): void {
  client.setQueriesData<Pages>({ queryKey: notesKeys.lists }, (data) =>
    data
      ? {
          ...data,
          pages: data.pages.map((page) => ({
            ...page,
            items: page.items.map((note) => (note.id === id ? change(note) : note)),
          })),
        }
      : data,
  );
  client.setQueryData<Note>(notesKeys.note(id), (note) => (note ? change(note) : note));
}

/** Puts a note at the top of a box (the unfiltered list: a new note is nobody's favourite yet). */
export function prependNote(client: QueryClient, box: Box, note: Note): void {
  client.setQueryData<Pages>(notesKeys.list(box, false), (data) => {
    if (!data) return data;
    if (data.pages.some((page) => page.items.some((item) => item.id === note.id))) return data;
    const [first, ...rest] = data.pages;
    return {
      ...data,
      pages: [{ items: [note, ...(first?.items ?? [])], nextCursor: first?.nextCursor ?? null }, ...rest],
    };
  });
}

/** Takes a note out of every cached list (a refused send, a cancelled or hidden note). */
export function removeNote(client: QueryClient, id: string): void {
  client.setQueriesData<Pages>({ queryKey: notesKeys.lists }, (data) =>
    data
      ? {
          ...data,
          pages: data.pages.map((page) => ({ ...page, items: page.items.filter((note) => note.id !== id) })),
        }
      : data,
  );
}

/** Swaps a placeholder (an optimistic note) for the note the API answered with. */
export function replaceNote(client: QueryClient, id: string, note: Note): void {
  patchNote(client, id, () => note);
}
