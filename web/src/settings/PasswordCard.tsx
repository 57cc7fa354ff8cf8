import { unwrap } from '@one2one/client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../api.ts';
import { ErrorNotice, fieldError } from '../ui/ErrorNotice.tsx';
import { Field } from '../ui/Field.tsx';
import { NewPasswordFields, passwordsDiffer } from '../ui/NewPasswordFields.tsx';
import { SESSIONS } from './SessionsCard.tsx';

export function PasswordCard() {
  const queryClient = useQueryClient();
  const [mismatch, setMismatch] = useState(false);
  const change = useMutation({
    mutationFn: (body: { currentPassword: string; newPassword: string }) =>
      unwrap(api.POST('/v1/auth/password/change', { body })),
    // The API ends every other session on a password change.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: SESSIONS }),
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    if (passwordsDiffer(form, 'newPassword')) return setMismatch(true);
    setMismatch(false);
    change.mutate(
      {
        currentPassword: String(form.get('currentPassword') ?? ''),
        newPassword: String(form.get('newPassword') ?? ''),
      },
      { onSuccess: () => (event.target as HTMLFormElement).reset() },
    );
  }

  return (
    <section className="card" aria-labelledby="password">
      <h2 id="password">Password</h2>
      <form className="form" onSubmit={submit}>
        <Field
          label="Current password"
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          required
          error={fieldError(change.error, 'currentPassword')}
        />
        <NewPasswordFields
          name="newPassword"
          error={fieldError(change.error, 'newPassword')}
          mismatch={mismatch}
        />
        <ErrorNotice error={change.error} />
        <div className="row">
          <button type="submit" disabled={change.isPending}>
            Change password
          </button>
          {change.isSuccess && (
            <span className="success" role="status">
              Password changed; your other sessions were signed out.
            </span>
          )}
        </div>
      </form>
    </section>
  );
}
