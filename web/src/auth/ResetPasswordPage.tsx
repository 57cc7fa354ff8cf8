import { unwrap } from '@one2one/client';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api.ts';
import { ErrorNotice, fieldError } from '../ui/ErrorNotice.tsx';
import { NewPasswordFields, passwordsDiffer } from '../ui/NewPasswordFields.tsx';
import { Page } from '../ui/Page.tsx';

/** The reset mail's link: `/reset-password?token=…`. A reset ends every session, so sign in afterwards. */
export function ResetPasswordPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [mismatch, setMismatch] = useState(false);
  const reset = useMutation({
    mutationFn: (password: string) =>
      unwrap(api.POST('/v1/auth/password/reset', { body: { token, password } })),
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const differ = passwordsDiffer(form, 'password');
    setMismatch(differ);
    if (!differ) reset.mutate(String(form.get('password') ?? ''));
  }
  return (
    <Page title="Choose a new password">
      {!token ? (
        <p className="error" role="alert">
          This link has no token. <Link to="/forgot-password">Ask for a new link</Link>.
        </p>
      ) : reset.isSuccess ? (
        <p className="card success" role="status">
          Your password is changed and every session was signed out. <Link to="/signin">Sign in</Link> with
          the new one.
        </p>
      ) : (
        <form className="card form" onSubmit={submit} noValidate>
          <NewPasswordFields
            name="password"
            error={fieldError(reset.error, 'password')}
            mismatch={mismatch}
          />
          <ErrorNotice error={reset.error} />
          <button type="submit" disabled={reset.isPending}>
            Save the new password
          </button>
          {reset.isError && (
            <p>
              Link expired or used? <Link to="/forgot-password">Ask for a new one</Link>.
            </p>
          )}
        </form>
      )}
    </Page>
  );
}
