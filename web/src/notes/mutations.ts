import { unwrap } from '@one2one/client';
import { type QueryKey, useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../api.ts';
import { patchNote, prependNote, removeNote } from './cache.ts';
import { notesKeys } from './keys.ts';
import type { EditInput, Note, SendInput, TemplateInput } from './types.ts';

export const SEND_KEY = ['notes', 'send'] as const;

/**
 * Sending. The composer navigates to the list at once, so the optimistic note
 * is drawn from this mutation's pending variables (`usePendingSends`) rather
 * than written into a list that may not be cached yet: it shows in "sent"
 * (or "scheduled") immediately, disappears by itself when the API refuses, and
 * the refusal stays in the mutation cache for the list to show (`useSendFailures`).
 * On success the API's note takes its place before the pending one goes away.
 */
export function useSendNote() {
  const client = useQueryClient();
  return useMutation({
    mutationKey: SEND_KEY,
    mutationFn: (input: SendInput) =>
      unwrap(
        api.POST('/v1/love-notes', {
          body: input,
          // A retried send (a dropped answer) is the same note, never a second one.
          headers: { 'idempotency-key': crypto.randomUUID() },
        }),
      ),
    onSuccess: (note) => {
      prependNote(client, note.status === 'scheduled' ? 'scheduled' : 'sent', note);
      void client.invalidateQueries({
        queryKey: notesKeys.box(note.status === 'scheduled' ? 'scheduled' : 'sent'),
      });
    },
  });
}

type Snapshot = Array<[QueryKey, unknown]>;

/** Every cached copy of the notes, to put back when an optimistic change is refused. */
async function snapshot(client: ReturnType<typeof useQueryClient>, id: string): Promise<Snapshot> {
  await client.cancelQueries({ queryKey: notesKeys.lists });
  await client.cancelQueries({ queryKey: notesKeys.note(id) });
  return [
    ...client.getQueriesData({ queryKey: notesKeys.lists }),
    ...client.getQueriesData({ queryKey: notesKeys.note(id) }),
  ];
}

function restore(client: ReturnType<typeof useQueryClient>, saved: Snapshot | undefined): void {
  for (const [key, data] of saved ?? []) client.setQueryData(key, data);
}

/** Adds or takes back a reaction: shown at once, put back as it was if the API refuses. */
export function useReaction(note: Note, userId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ emoji, add }: { emoji: string; add: boolean }) =>
      add
        ? unwrap(
            api.POST('/v1/love-notes/{id}/reactions', { params: { path: { id: note.id } }, body: { emoji } }),
          )
        : unwrap(
            api.DELETE('/v1/love-notes/{id}/reactions/{emoji}', { params: { path: { id: note.id, emoji } } }),
          ),
    onMutate: async ({ emoji, add }) => {
      const saved = await snapshot(client, note.id);
      patchNote(client, note.id, (current) => ({
        ...current,
        reactions: add
          ? [...current.reactions, { userId, emoji, createdAt: new Date().toISOString() }]
          : current.reactions.filter((r) => !(r.userId === userId && r.emoji === emoji)),
      }));
      return saved;
    },
    onError: (_error, _input, saved) => restore(client, saved),
    onSuccess: (updated) => patchNote(client, note.id, () => updated),
  });
}

/** Favourite on or off, per viewer; optimistic like reactions. */
export function useFavorite(note: Note) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (favorite: boolean) => {
      const path = { params: { path: { id: note.id } } };
      return favorite
        ? unwrap(api.POST('/v1/love-notes/{id}/favorite', path))
        : unwrap(api.DELETE('/v1/love-notes/{id}/favorite', path));
    },
    onMutate: async (favorite) => {
      const saved = await snapshot(client, note.id);
      patchNote(client, note.id, (current) => ({ ...current, favorite }));
      return saved;
    },
    onError: (_error, _favorite, saved) => restore(client, saved),
    onSuccess: (updated) => patchNote(client, note.id, () => updated),
    // The favourites filter's list gains or loses the note.
    onSettled: () => client.invalidateQueries({ queryKey: notesKeys.lists, refetchType: 'inactive' }),
  });
}

/** Opening a received note marks it read (the sender gets the receipt live). */
export function useMarkRead() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/v1/love-notes/{id}/read', { params: { path: { id } } })),
    onSuccess: (updated) => patchNote(client, updated.id, () => updated),
  });
}

/** Pause, resume and edit of a note still waiting to go; delete: cancel it, unsend it, or hide a received one. */
export function useNoteActions() {
  const client = useQueryClient();
  const done = (updated: Note) => patchNote(client, updated.id, () => updated);
  const path = (id: string) => ({ params: { path: { id } } });
  return {
    pause: useMutation({
      mutationFn: (id: string) => unwrap(api.POST('/v1/love-notes/{id}/pause', path(id))),
      onSuccess: done,
    }),
    resume: useMutation({
      mutationFn: (id: string) => unwrap(api.POST('/v1/love-notes/{id}/resume', path(id))),
      onSuccess: done,
    }),
    edit: useMutation({
      mutationFn: ({ id, change }: { id: string; change: EditInput }) =>
        unwrap(api.PATCH('/v1/love-notes/{id}', { ...path(id), body: change })),
      onSuccess: done,
    }),
    remove: useMutation({
      mutationFn: async (id: string) => {
        // The answer carries no data: only whether it was refused matters.
        await unwrap(
          api.DELETE('/v1/love-notes/{id}', path(id)).then(({ response, error }) => ({ response, error })),
        );
        return id;
      },
      onSuccess: (id) => removeNote(client, id),
    }),
  };
}

export function useCreateTemplate() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: TemplateInput) => unwrap(api.POST('/v1/love-notes/templates', { body: input })),
    onSuccess: () => client.invalidateQueries({ queryKey: notesKeys.templates }),
  });
}
