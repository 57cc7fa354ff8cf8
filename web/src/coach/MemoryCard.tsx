import { unwrap } from '@one2one/client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api.ts';
import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import { Loading } from '../ui/Page.tsx';
import { coachKeys } from './queries.ts';

/** What the coach keeps in mind (topic names only, never words), with the switch and the eraser. */
export function MemoryCard() {
  const queryClient = useQueryClient();
  const memory = useQuery({ queryKey: coachKeys.memory, queryFn: () => unwrap(api.GET('/v1/coach/memory')) });
  const update = useMutation({
    mutationFn: (rememberTopics: boolean) =>
      unwrap(api.PATCH('/v1/coach/memory', { body: { rememberTopics } })),
    onSuccess: (data) => queryClient.setQueryData(coachKeys.memory, data),
  });
  const clear = useMutation({
    mutationFn: () => unwrap(api.DELETE('/v1/coach/memory')),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: coachKeys.memory }),
  });

  return (
    <section className="card" aria-labelledby="coach-memory">
      <h2 id="coach-memory">What the coach remembers</h2>
      {memory.isPending ? (
        <Loading />
      ) : memory.error ? (
        <ErrorNotice error={memory.error} />
      ) : (
        <>
          <p>{memory.data.summary}</p>
          <p>
            Topics:{' '}
            {memory.data.topics.length > 0 ? (
              memory.data.topics.join(', ')
            ) : (
              <span className="hint">none</span>
            )}
          </p>
          <div className="checkbox">
            <input
              id="remember-topics"
              type="checkbox"
              checked={memory.data.rememberTopics}
              disabled={update.isPending}
              onChange={(event) => update.mutate(event.target.checked)}
            />
            <label htmlFor="remember-topics">Remember the topics we talk about</label>
          </div>
          <ErrorNotice error={update.error ?? clear.error} />
          <div className="row">
            <button
              type="button"
              className="secondary"
              disabled={clear.isPending}
              onClick={() => clear.mutate()}
            >
              Forget topics
            </button>
            {clear.isSuccess && (
              <span className="success" role="status">
                Forgotten.
              </span>
            )}
          </div>
        </>
      )}
    </section>
  );
}
