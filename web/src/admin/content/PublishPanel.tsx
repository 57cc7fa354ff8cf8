import { unwrap } from '@one2one/client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api.ts';
import { ErrorNotice, fieldError } from '../../ui/ErrorNotice.tsx';
import { Field } from '../../ui/Field.tsx';
import { ConfirmDialog } from '../ConfirmDialog.tsx';
import { when } from '../format.ts';
import type { ContentItem } from './content-types.ts';

/** `<input type="datetime-local">` wants local wall time without a zone: now + 1 hour, rounded. */
function inAnHour(): string {
  const date = new Date(Date.now() + 3_600_000);
  date.setMinutes(0, 0, 0);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:00`;
}

/** Status, and the moves an item can make: publish now, at a time, or off the library. */
export function PublishPanel({ item }: { item: ContentItem }) {
  const queryClient = useQueryClient();
  const [publishAt, setPublishAt] = useState(inAnHour);
  const [archiving, setArchiving] = useState(false);
  const path = { params: { path: { id: item.id } } };
  const done = (saved: ContentItem) => {
    queryClient.setQueryData(['admin', 'content', 'item', saved.id], saved);
    void queryClient.invalidateQueries({ queryKey: ['admin', 'content', 'list'] });
    setArchiving(false);
  };
  const publish = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/admin/content/{id}/publish', path)),
    onSuccess: done,
  });
  const schedule = useMutation({
    // The field is the editor's local time; the API takes an instant.
    mutationFn: () =>
      unwrap(
        api.POST('/v1/admin/content/{id}/schedule', {
          ...path,
          body: { publishAt: new Date(publishAt).toISOString() },
        }),
      ),
    onSuccess: done,
  });
  const archive = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/admin/content/{id}/archive', path)),
    onSuccess: done,
  });
  const error = publish.error ?? schedule.error ?? archive.error;
  return (
    <section className="card publish" aria-labelledby="publish-title">
      <h2 id="publish-title">Publishing</h2>
      <p role="status" aria-live="polite">
        Status: <span className={`badge badge-${item.status}`}>{item.status}</span>
        {item.status === 'scheduled' && <> · publishes {when(item.publishedAt)}</>}
        {item.status === 'published' && <> · since {when(item.publishedAt)}</>} · revision {item.revision},
        saved {when(item.updatedAt)}
      </p>
      <ErrorNotice error={error} />
      <div className="publish-actions">
        <form
          className="row schedule"
          onSubmit={(event) => {
            event.preventDefault();
            schedule.mutate();
          }}
        >
          <Field
            label="Publish at"
            type="datetime-local"
            required
            value={publishAt}
            error={fieldError(schedule.error, 'publishAt')}
            onChange={(event) => setPublishAt(event.target.value)}
          />
          <button type="submit" className="secondary" disabled={schedule.isPending}>
            Schedule
          </button>
        </form>
        <div className="row">
          {item.status !== 'published' && (
            <button type="button" onClick={() => publish.mutate()} disabled={publish.isPending}>
              Publish now
            </button>
          )}
          {item.status !== 'archived' && (
            <button type="button" className="secondary" onClick={() => setArchiving(true)}>
              Archive
            </button>
          )}
        </div>
      </div>
      <ConfirmDialog
        open={archiving}
        title={`Archive “${item.title}”?`}
        confirmLabel="Archive"
        danger
        busy={archive.isPending}
        onConfirm={() => archive.mutate()}
        onCancel={() => setArchiving(false)}
      >
        <p>It leaves the library; the item and its revisions are kept and it can be published again.</p>
      </ConfirmDialog>
    </section>
  );
}
