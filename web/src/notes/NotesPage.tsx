import { Link, useSearchParams } from 'react-router';
import { useUser } from '../auth/AuthProvider.tsx';
import { partnerName, useCouple } from '../couple/queries.ts';
import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import { Loading, Page } from '../ui/Page.tsx';
import { NoteCard, PendingCard } from './NoteCard.tsx';
import { useNotesList } from './queries.ts';
import { ScheduledCard } from './ScheduledCard.tsx';
import { SendFailures } from './SendFailures.tsx';
import { usePendingSends } from './sends.ts';
import type { Box } from './types.ts';
import { useNotesLive } from './useNotesLive.ts';
import './notes.css';

const BOXES: Array<{ box: Box; label: string }> = [
  { box: 'inbox', label: 'Received' },
  { box: 'sent', label: 'Sent' },
  { box: 'scheduled', label: 'Scheduled' },
];

/** `/notes`: received, sent and scheduled notes, newest first, a page at a time. */
export function NotesPage() {
  useNotesLive();
  const [params, setParams] = useSearchParams();
  const box = BOXES.find((b) => b.box === params.get('box'))?.box ?? 'inbox';
  const favorite = box !== 'scheduled' && params.get('favorite') === 'true';
  const user = useUser();
  const { couple, state } = useCouple();
  const partner = partnerName(couple);
  const list = useNotesList(box, favorite);
  const pending = usePendingSends().filter(
    (send) => (box === 'scheduled') === Boolean(send.input.scheduledAt),
  );
  const pageError = list.isFetchNextPageError ? list.error : null;
  const notes = list.data?.pages.flatMap((page) => page.items) ?? [];

  function choose(next: Partial<{ box: Box; favorite: boolean }>) {
    const target = { box, favorite, ...next };
    const search = new URLSearchParams();
    if (target.box !== 'inbox') search.set('box', target.box);
    if (target.favorite && target.box !== 'scheduled') search.set('favorite', 'true');
    setParams(search, { replace: true });
  }

  return (
    <Page
      title="Love notes"
      actions={
        state === 'active' && (
          <Link className="button" to="/notes/new">
            Write a note
          </Link>
        )
      }
    >
      {state === 'none' && (
        <p className="card">
          Link with your partner to send love notes. <Link to="/link">Link now</Link>
        </p>
      )}
      <nav aria-label="Boxes" className="tabs">
        {BOXES.map((b) => (
          <Link
            key={b.box}
            to={b.box === 'inbox' ? '/notes' : `/notes?box=${b.box}`}
            className="tab"
            aria-current={b.box === box ? 'page' : undefined}
          >
            {b.label}
          </Link>
        ))}
      </nav>
      {box !== 'scheduled' && (
        <div className="checkbox filter">
          <input
            id="favorites-only"
            type="checkbox"
            checked={favorite}
            onChange={(e) => choose({ favorite: e.target.checked })}
          />
          <label htmlFor="favorites-only">Favourites only</label>
        </div>
      )}
      <SendFailures />
      {list.isPending ? (
        <Loading what="Loading notes" />
      ) : list.error ? (
        <ErrorNotice error={list.error} />
      ) : (
        <>
          <ul className="list notes" aria-label={BOXES.find((b) => b.box === box)?.label}>
            {box !== 'inbox' &&
              !favorite &&
              pending.map((send) => (
                <PendingCard
                  key={send.key}
                  body={send.input.body ?? ''}
                  partner={partner}
                  {...(send.input.scheduledAt ? { scheduledAt: send.input.scheduledAt } : {})}
                />
              ))}
            {notes.map((note) =>
              box === 'scheduled' ? (
                <ScheduledCard key={note.id} note={note} />
              ) : (
                <NoteCard
                  key={note.id}
                  note={note}
                  userId={user.id}
                  partner={partner}
                  readOnly={state === 'closed'}
                />
              ),
            )}
          </ul>
          {notes.length === 0 && pending.length === 0 && <p className="hint">{emptyText(box, favorite)}</p>}
          {list.hasNextPage && (
            <button
              type="button"
              className="secondary load-more"
              disabled={list.isFetchingNextPage}
              onClick={() => void list.fetchNextPage()}
            >
              {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
            </button>
          )}
          <ErrorNotice error={pageError} />
        </>
      )}
    </Page>
  );
}

function emptyText(box: Box, favorite: boolean): string {
  if (favorite) return 'No favourites yet: star a note to keep it here.';
  if (box === 'inbox') return 'No notes yet. They arrive here the moment your partner sends one.';
  if (box === 'sent') return 'You have not sent a note yet.';
  return 'Nothing scheduled.';
}
