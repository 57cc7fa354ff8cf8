import type { Box } from './types.ts';

/** React Query keys of the notes feature, all under `['notes']`. */
export const notesKeys = {
  all: ['notes'] as const,
  lists: ['notes', 'list'] as const,
  box: (box: Box) => ['notes', 'list', box] as const,
  list: (box: Box, favorite: boolean) => ['notes', 'list', box, { favorite }] as const,
  note: (id: string) => ['notes', 'note', id] as const,
  templates: ['notes', 'templates'] as const,
  profile: ['notes', 'profile'] as const,
};
