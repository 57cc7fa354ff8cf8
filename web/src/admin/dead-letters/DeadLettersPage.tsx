import { type DataOf, unwrap } from '@one2one/client';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { Field } from '../../ui/Field.tsx';
import { Loading, Page } from '../../ui/Page.tsx';
import { ConfirmDialog } from '../ConfirmDialog.tsx';
import { when } from '../format.ts';
import { pageOf } from '../paging.ts';
import { useDebounced } from '../useDebounced.ts';

type DeadLetter = DataOf<'/v1/admin/dead-letters', 'get'>[number];

/** /admin/dead-letters: events a consumer group gave up on; replay one to its group, or discard it. */
export function DeadLettersPage() {
  const queryClient = useQueryClient();
  const [group, setGroup] = useState('');
  const filter = useDebounced(group.trim());
  const letters = useInfiniteQuery({
    queryKey: ['admin', 'dead-letters', filter],
    queryFn: ({ pageParam }) =>
      pageOf(
        api.GET('/v1/admin/dead-letters', {
          params: {
            query: {
              limit: 25,
              ...(filter ? { group: filter } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.next ?? undefined,
  });
  const [outcome, setOutcome] = useState<string | null>(null);
  const [discarding, setDiscarding] = useState<DeadLetter | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['admin', 'dead-letters'] });
  const replay = useMutation({
    mutationFn: (letter: DeadLetter) =>
      unwrap(api.POST('/v1/admin/dead-letters/{id}/replay', { params: { path: { id: letter.id } } })),
    onSuccess: (letter) => {
      setOutcome(`Replayed ${letter.eventType} to the ${letter.group} group.`);
      return refresh();
    },
  });
  const discard = useMutation({
    mutationFn: (letter: DeadLetter) =>
      unwrap(api.DELETE('/v1/admin/dead-letters/{id}', { params: { path: { id: letter.id } } })),
    onSuccess: (letter) => {
      setOutcome(`Deleted the dead letter of ${letter.eventType} without replaying it.`);
      setDiscarding(null);
      return refresh();
    },
  });
  const items = letters.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <Page title="Dead letters">
      <p className="hint">
        Events a consumer group failed to handle after every retry. Replay gives the event to that group once
        more; delete drops it.
      </p>
      <form className="form" onSubmit={(event) => event.preventDefault()}>
        <Field
          label="Consumer group"
          hint="Empty for every group"
          value={group}
          onChange={(event) => setGroup(event.target.value)}
        />
      </form>
      <div aria-live="polite">{outcome && <p className="success">{outcome}</p>}</div>
      <ErrorNotice error={replay.error ?? discard.error} />
      {letters.isPending ? (
        <Loading />
      ) : letters.error ? (
        <ErrorNotice error={letters.error} />
      ) : items.length === 0 ? (
        <p className="card">No dead letters. Every event was handled.</p>
      ) : (
        <ul className="list" aria-label="Dead letters">
          {items.map((letter) => (
            <li key={letter.id} className="card" aria-labelledby={`dl-${letter.id}`}>
              <h2 id={`dl-${letter.id}`} className="item-title">
                {letter.eventType}
              </h2>
              <dl className="facts">
                <dt>Group</dt>
                <dd>{letter.group}</dd>
                <dt>Attempts</dt>
                <dd>{letter.attempts}</dd>
                <dt>Failed</dt>
                <dd>{when(letter.failedAt)}</dd>
                <dt>Error</dt>
                <dd className="mono wrap">{letter.lastError}</dd>
              </dl>
              <details>
                <summary>Payload</summary>
                <pre className="payload">{JSON.stringify(letter.event, null, 2)}</pre>
              </details>
              <div className="row">
                <button
                  type="button"
                  onClick={() => replay.mutate(letter)}
                  disabled={replay.isPending}
                  aria-label={`Replay ${letter.eventType} (${letter.group})`}
                >
                  Replay
                </button>
                <button
                  type="button"
                  className="secondary"
                  onClick={() => setDiscarding(letter)}
                  aria-label={`Delete ${letter.eventType} (${letter.group})`}
                >
                  Delete
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      {letters.hasNextPage && (
        <button type="button" className="secondary" onClick={() => void letters.fetchNextPage()}>
          Load more
        </button>
      )}
      <ConfirmDialog
        open={discarding !== null}
        title="Delete this dead letter?"
        confirmLabel="Delete without replaying"
        danger
        busy={discard.isPending}
        onConfirm={() => discarding && discard.mutate(discarding)}
        onCancel={() => setDiscarding(null)}
      >
        <p>
          The {discarding?.eventType} event will never reach the {discarding?.group} group. This cannot be
          undone.
        </p>
      </ConfirmDialog>
    </Page>
  );
}
