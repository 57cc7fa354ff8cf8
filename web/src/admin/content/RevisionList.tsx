import { unwrap } from '@one2one/client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { Loading } from '../../ui/Page.tsx';
import { when } from '../format.ts';
import type { Revision } from './content-types.ts';

/** Every saved version, newest first; restoring one saves it again as the newest revision. */
export function RevisionList({ id, current }: { id: string; current: number }) {
  const queryClient = useQueryClient();
  const revisions = useQuery({
    queryKey: ['admin', 'content', 'revisions', id, current],
    queryFn: () => unwrap(api.GET('/v1/admin/content/{id}/revisions', { params: { path: { id } } })),
  });
  const restore = useMutation({
    mutationFn: (revision: Revision) =>
      unwrap(
        api.PATCH('/v1/admin/content/{id}', {
          params: { path: { id } },
          body: {
            title: revision.title,
            excerpt: revision.excerpt,
            body: revision.body,
            tags: revision.tags,
            visibility: revision.visibility,
          },
        }),
      ),
    onSuccess: (saved) => queryClient.setQueryData(['admin', 'content', 'item', saved.id], saved),
  });
  return (
    <section className="card" aria-labelledby="revisions-title">
      <h2 id="revisions-title">Revisions</h2>
      <ErrorNotice error={restore.error} />
      {revisions.isPending ? (
        <Loading />
      ) : revisions.error ? (
        <ErrorNotice error={revisions.error} />
      ) : (
        <ol className="list revisions" reversed>
          {revisions.data.map((revision) => (
            <li key={revision.revision}>
              <details>
                <summary>
                  Revision {revision.revision}: “{revision.title}”, {when(revision.createdAt)}
                  {revision.revision === current && ' (current)'}
                </summary>
                <pre className="payload">{revision.body}</pre>
                {revision.revision !== current && (
                  <button
                    type="button"
                    className="secondary"
                    disabled={restore.isPending}
                    onClick={() => restore.mutate(revision)}
                  >
                    Restore revision {revision.revision}
                  </button>
                )}
              </details>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
