import { unwrap } from '@one2one/client';
import { useMutation } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { Link } from 'react-router';
import { api } from '../api.ts';
import { ErrorNotice, fieldError } from '../ui/ErrorNotice.tsx';
import { Field } from '../ui/Field.tsx';
import { Page } from '../ui/Page.tsx';

/** Asks for a reset mail. The API answers the same whether the address has an account or not. */
export function ForgotPasswordPage() {
  const send = useMutation({
    mutationFn: (email: string) => unwrap(api.POST('/v1/auth/password/forgot', { body: { email } })),
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    send.mutate(String(new FormData(event.currentTarget).get('email') ?? '').trim());
  }
  return (
    <Page title="Forgot your password?">
      {send.isSuccess ? (
        <p className="card success" role="status">
          If an account uses that address, a mail with a link to choose a new password is on its way. The link
          works for one hour.
        </p>
      ) : (
        <form className="card form" onSubmit={submit} noValidate>
          <Field
            label="Email"
            name="email"
            type="email"
            autoComplete="email"
            required
            error={fieldError(send.error, 'email')}
          />
          <ErrorNotice error={send.error} />
          <button type="submit" disabled={send.isPending}>
            Send me a link
          </button>
        </form>
      )}
      <p>
        <Link to="/signin">Back to sign-in</Link>
      </p>
    </Page>
  );
}
