import { unwrap } from '@one2one/client';
import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { api } from '../../api.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { Loading, Page } from '../../ui/Page.tsx';
import { ContentForm } from './ContentForm.tsx';
import { PublishPanel } from './PublishPanel.tsx';
import { RevisionList } from './RevisionList.tsx';

/** /admin/content/new and /admin/content/:id: the editor, then publishing and history once saved. */
export function ContentEditorPage() {
  const { id } = useParams();
  const item = useQuery({
    queryKey: ['admin', 'content', 'item', id],
    queryFn: () => unwrap(api.GET('/v1/admin/content/{id}', { params: { path: { id: id ?? '' } } })),
    enabled: Boolean(id),
  });
  if (!id) {
    return (
      <Page title="New item">
        <ContentForm />
      </Page>
    );
  }
  if (item.isPending) return <Loading />;
  if (item.error) return <ErrorNotice error={item.error} />;
  return (
    <Page title={`Edit: ${item.data.title}`}>
      <PublishPanel item={item.data} />
      {/* Keyed by revision: a save or a restored revision starts the form from what is stored. */}
      <ContentForm key={`${item.data.id}:${item.data.revision}`} item={item.data} />
      <RevisionList id={item.data.id} current={item.data.revision} />
    </Page>
  );
}
