import type { BodyOf, DataOf } from '@one2one/client';

/** A note as the API shows it to the viewer (sender or recipient). */
export type Note = DataOf<'/v1/love-notes/{id}', 'get'>;
export type Reaction = Note['reactions'][number];
export type Template = DataOf<'/v1/love-notes/templates', 'get'>[number];
export type SendInput = BodyOf<'/v1/love-notes', 'post'>;
export type TemplateInput = BodyOf<'/v1/love-notes/templates', 'post'>;
export type EditInput = BodyOf<'/v1/love-notes/{id}', 'patch'>;
export type Box = 'inbox' | 'sent' | 'scheduled';

/** One page of a box: the notes and the cursor of the next page (null at the end). */
export interface NotesPage {
  items: Note[];
  nextCursor: string | null;
}

/** The note's text limit (the API's, `SendNoteBody.body.maxLength`): the counter shows it, the API enforces it. */
export const MAX_BODY = 5000;

export const TEMPLATE_CATEGORIES = [
  'morning',
  'goodnight',
  'apology',
  'gratitude',
  'missing-you',
  'anniversary',
  'encouragement',
  'playful',
] as const satisfies ReadonlyArray<BodyOf<'/v1/love-notes/templates', 'post'>['category']>;
