import { unwrap } from '@one2one/client';
import { useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../api.ts';
import { useAuth } from '../auth/AuthProvider.tsx';
import { ErrorNotice, fieldError } from '../ui/ErrorNotice.tsx';
import { Field } from '../ui/Field.tsx';

/** The API has no list of exports: this browser remembers the last one it asked for. */
const EXPORT_KEY = 'o2o.privacy.export-id';

function ExportCard() {
  const [exportId, setExportId] = useState(() => localStorage.getItem(EXPORT_KEY));
  const request = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/users/me/export')),
    onSuccess: (data) => {
      localStorage.setItem(EXPORT_KEY, data.id);
      setExportId(data.id);
    },
  });
  const status = useQuery({
    queryKey: ['settings', 'export', exportId],
    enabled: Boolean(exportId),
    queryFn: () => unwrap(api.GET('/v1/users/me/export/{id}', { params: { path: { id: exportId ?? '' } } })),
    // Poll while it is being built.
    refetchInterval: (query) =>
      query.state.data && ['pending', 'running'].includes(query.state.data.status) ? 2000 : false,
  });
  const data = status.data;
  const expired = data?.expiresAt ? new Date(data.expiresAt) < new Date() : false;
  return (
    <section className="card" aria-labelledby="export">
      <h2 id="export">Your data</h2>
      <p>Download everything the app holds about you, as a ZIP file of JSON documents.</p>
      {data && (
        <p role="status">
          {data.status === 'ready' && data.downloadUrl && !expired ? (
            <>
              Your export is ready: <a href={data.downloadUrl}>download your data</a> (link valid until{' '}
              {new Date(data.expiresAt ?? '').toLocaleString()}).
            </>
          ) : data.status === 'failed' ? (
            'The export failed; ask for a new one.'
          ) : expired ? (
            'Your last export has expired.'
          ) : (
            `Preparing your export… ${Math.round(data.progress)}%`
          )}
        </p>
      )}
      <ErrorNotice error={request.error ?? (status.error as unknown)} />
      <button type="button" disabled={request.isPending} onClick={() => request.mutate()}>
        Request a data export
      </button>
    </section>
  );
}

function DeleteAccountCard() {
  const { signOut } = useAuth();
  const navigate = useNavigate();
  const [sure, setSure] = useState(false);
  const remove = useMutation({
    mutationFn: (proof: { password: string } | { code: string }) =>
      unwrap(api.DELETE('/v1/users/me', { body: proof })),
    onSuccess: async () => {
      await signOut();
      navigate('/signin', { replace: true, state: { deleted: true } });
    },
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const proof = String(new FormData(event.currentTarget).get('proof') ?? '').trim();
    if (!sure || !proof) return;
    remove.mutate(/^\d{6}$/.test(proof) ? { code: proof } : { password: proof });
  }
  return (
    <section className="card danger-zone" aria-labelledby="delete-account">
      <h2 id="delete-account">Delete your account</h2>
      <p>
        Your account is closed at once and everything about you is erased shortly after: notes, coach
        conversations, photos. Your partner keeps read-only access to your shared history for 30 days.
        Invoices are kept as tax law requires.
      </p>
      <form className="form" onSubmit={submit}>
        <Field
          label="Your password (or a code from your authenticator app)"
          name="proof"
          type="password"
          autoComplete="current-password"
          required
          error={fieldError(remove.error, 'password') ?? fieldError(remove.error, 'code')}
        />
        <div className="checkbox">
          <input
            id="delete-sure"
            type="checkbox"
            checked={sure}
            onChange={(e) => setSure(e.target.checked)}
          />
          <label htmlFor="delete-sure">I understand this cannot be undone</label>
        </div>
        <ErrorNotice error={remove.error} />
        <button type="submit" className="danger" disabled={!sure || remove.isPending}>
          Delete my account
        </button>
      </form>
    </section>
  );
}

export function PrivacySettings() {
  return (
    <>
      <ExportCard />
      <DeleteAccountCard />
    </>
  );
}
