import { unwrap } from '@one2one/client';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api } from '../api.ts';
import { notesKeys } from './keys.ts';
import type { Box, NotesPage } from './types.ts';

const PAGE_SIZE = 20;

/** One box, newest first, a page at a time (the API's keyset cursor in `meta.nextCursor`). */
export function useNotesList(box: Box, favorite: boolean) {
  return useInfiniteQuery({
    queryKey: notesKeys.list(box, favorite),
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam }): Promise<NotesPage> => {
      const query = {
        box,
        limit: PAGE_SIZE,
        ...(favorite ? { favorite: true } : {}),
        ...(pageParam ? { cursor: pageParam } : {}),
      };
      const result = await api.GET('/v1/love-notes', { params: { query } });
      // unwrap throws the API's error; the cursor lives beside the data, in meta.
      const items = await unwrap(Promise.resolve(result));
      return { items, nextCursor: result.data?.meta.nextCursor ?? null };
    },
    getNextPageParam: (last) => last.nextCursor,
    // Live events keep an open list current; one opened again may have missed some (a scheduled
    // note of mine went out, a note came while I was elsewhere), so it refreshes on every visit.
    staleTime: 0,
    // The sender hears nothing live when a scheduled note goes: the list checks now and then.
    refetchInterval: box === 'scheduled' ? 30_000 : false,
  });
}

export function useNote(id: string) {
  return useQuery({
    queryKey: notesKeys.note(id),
    queryFn: () => unwrap(api.GET('/v1/love-notes/{id}', { params: { path: { id } } })),
  });
}

export function useTemplates() {
  return useQuery({
    queryKey: notesKeys.templates,
    queryFn: () => unwrap(api.GET('/v1/love-notes/templates')),
    staleTime: 5 * 60_000,
  });
}

/** The signed-in person's time zone (their profile's): scheduled times are read in it by default. */
export function useProfileZone() {
  return useQuery({
    queryKey: notesKeys.profile,
    queryFn: async () => (await unwrap(api.GET('/v1/users/me'))).timeZone,
    staleTime: 5 * 60_000,
  });
}
