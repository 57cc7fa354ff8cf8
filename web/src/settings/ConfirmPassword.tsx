import { ApiError, unwrap } from '@one2one/client';
import { useMutation } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { api } from '../api.ts';
import { ErrorNotice, fieldError } from '../ui/ErrorNotice.tsx';
import { Field } from '../ui/Field.tsx';

/**
 * The API asks for a password typed in the last 10 minutes on this session
 * before MFA changes (401 naming /auth/reauthenticate); a plain expired token
 * would have been refreshed by the client already.
 */
export function needsRecentPassword(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401 && /reauthenticate/i.test(error.message);
}

export function ConfirmPassword({ onConfirmed }: { onConfirmed(): void }) {
  const confirm = useMutation({
    mutationFn: (password: string) => unwrap(api.POST('/v1/auth/reauthenticate', { body: { password } })),
    onSuccess: onConfirmed,
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    confirm.mutate(String(new FormData(event.currentTarget).get('password') ?? ''));
  }
  return (
    <form className="form reauth" onSubmit={submit}>
      <p>For your safety, confirm your password to continue.</p>
      <Field
        label="Your password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        error={fieldError(confirm.error, 'password')}
      />
      <ErrorNotice error={confirm.error} />
      <button type="submit" disabled={confirm.isPending}>
        Confirm password
      </button>
    </form>
  );
}
