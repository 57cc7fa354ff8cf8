import { unwrap } from '@one2one/client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api.ts';
import { ErrorNotice } from '../../ui/ErrorNotice.tsx';
import { Loading, Page } from '../../ui/Page.tsx';
import { ConfirmDialog } from '../ConfirmDialog.tsx';
import { FlagForm } from './FlagForm.tsx';
import type { FeatureFlag } from './flags-api.ts';

const KEY = ['admin', 'flags'];

/** /admin/flags: feature flags with a kill switch, a rollout share and allow / deny lists. */
export function FlagsPage() {
  const queryClient = useQueryClient();
  const flags = useQuery({ queryKey: KEY, queryFn: () => unwrap(api.GET('/v1/admin/feature-flags')) });
  const [editing, setEditing] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<FeatureFlag | null>(null);

  // The kill switch answers at once: flipped in the list, put back if the API refuses.
  const toggle = useMutation({
    mutationFn: (flag: FeatureFlag) =>
      unwrap(
        api.PATCH('/v1/admin/feature-flags/{key}', {
          params: { path: { key: flag.key } },
          body: { enabled: !flag.enabled },
        }),
      ),
    onMutate: async (flag) => {
      await queryClient.cancelQueries({ queryKey: KEY });
      const before = queryClient.getQueryData<FeatureFlag[]>(KEY);
      queryClient.setQueryData<FeatureFlag[]>(KEY, (list) =>
        list?.map((f) => (f.key === flag.key ? { ...f, enabled: !flag.enabled } : f)),
      );
      return { before };
    },
    onError: (_error, _flag, context) => queryClient.setQueryData(KEY, context?.before),
    onSettled: () => queryClient.invalidateQueries({ queryKey: KEY }),
  });
  const remove = useMutation({
    mutationFn: (flag: FeatureFlag) =>
      unwrap(api.DELETE('/v1/admin/feature-flags/{key}', { params: { path: { key: flag.key } } })),
    onSuccess: () => {
      setDeleting(null);
      return queryClient.invalidateQueries({ queryKey: KEY });
    },
  });

  return (
    <Page
      title="Feature flags"
      actions={
        !creating && (
          <button type="button" onClick={() => setCreating(true)}>
            New flag
          </button>
        )
      }
    >
      {creating && <FlagForm onDone={() => setCreating(false)} />}
      <ErrorNotice error={toggle.error ?? remove.error} />
      {flags.isPending ? (
        <Loading />
      ) : flags.error ? (
        <ErrorNotice error={flags.error} />
      ) : flags.data.length === 0 ? (
        <p className="card">No flags yet.</p>
      ) : (
        <ul className="list" aria-label="Feature flags">
          {flags.data.map((flag) => (
            <li key={flag.key} className="card">
              <div className="flag-head">
                <h2 className="item-title mono">{flag.key}</h2>
                <label className="switch">
                  <input
                    type="checkbox"
                    role="switch"
                    aria-checked={flag.enabled}
                    checked={flag.enabled}
                    onChange={() => toggle.mutate(flag)}
                  />
                  <span>{flag.enabled ? 'On' : 'Off (killed)'}</span>
                  <span className="visually-hidden"> {flag.key}</span>
                </label>
              </div>
              {flag.description && <p>{flag.description}</p>}
              <dl className="facts">
                <dt>Rollout</dt>
                <dd>
                  <meter
                    min={0}
                    max={100}
                    value={flag.rolloutPercentage}
                    aria-label={`Rollout of ${flag.key}`}
                  />{' '}
                  {flag.rolloutPercentage}%
                </dd>
                <dt>Everyone else</dt>
                <dd>{flag.defaultValue ? 'On' : 'Off'}</dd>
                <dt>Always on for</dt>
                <dd>{flag.allowUsers.length} people</dd>
                <dt>Always off for</dt>
                <dd>{flag.denyUsers.length} people</dd>
              </dl>
              {editing === flag.key ? (
                <FlagForm flag={flag} onDone={() => setEditing(null)} />
              ) : (
                <div className="row">
                  <button type="button" className="secondary" onClick={() => setEditing(flag.key)}>
                    Edit<span className="visually-hidden"> {flag.key}</span>
                  </button>
                  <button type="button" className="secondary" onClick={() => setDeleting(flag)}>
                    Delete<span className="visually-hidden"> {flag.key}</span>
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete the flag ${deleting?.key ?? ''}?`}
        confirmLabel="Delete flag"
        danger
        busy={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting)}
        onCancel={() => setDeleting(null)}
      >
        <p>Code that still asks for it gets its built-in default.</p>
      </ConfirmDialog>
    </Page>
  );
}
