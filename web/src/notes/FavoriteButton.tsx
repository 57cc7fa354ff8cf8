import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import { useFavorite } from './mutations.ts';
import type { Note } from './types.ts';

/** Star a note (per viewer); optimistic, put back if refused. */
export function FavoriteButton({ note }: { note: Note }) {
  const favorite = useFavorite(note);
  return (
    <>
      <button
        type="button"
        className="favorite secondary"
        aria-pressed={note.favorite}
        onClick={() => favorite.mutate(!note.favorite)}
      >
        <span aria-hidden="true">{note.favorite ? '★' : '☆'}</span> Favourite
      </button>
      {favorite.error && <ErrorNotice error={favorite.error} />}
    </>
  );
}
