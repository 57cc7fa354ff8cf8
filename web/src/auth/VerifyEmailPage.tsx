import { unwrap } from '@one2one/client';
import { useMutation } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api.ts';
import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import { Loading, Page } from '../ui/Page.tsx';
import { useAuth } from './AuthProvider.tsx';

/** The link of the welcome mail: `/verify-email?token=…` spends the token once. */
export function VerifyEmailPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const { state } = useAuth();
  const verify = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/auth/email/verify', { body: { token } })),
  });
  const { mutate } = verify;
  const sent = useRef(false);
  // Once (React's development double effects must not spend the token twice).
  useEffect(() => {
    if (!token || sent.current) return;
    sent.current = true;
    mutate();
  }, [token, mutate]);

  return (
    <Page title="Confirm your email">
      {!token ? (
        <p className="error" role="alert">
          This link has no token. Open the link from the mail again.
        </p>
      ) : verify.isPending || verify.isIdle ? (
        <Loading what="Confirming" />
      ) : verify.isSuccess ? (
        <p className="card success" role="status">
          Your email address is confirmed.
        </p>
      ) : (
        <ErrorNotice error={verify.error} />
      )}
      <p>
        <Link to={state.status === 'signed-in' ? '/' : '/signin'}>
          {state.status === 'signed-in' ? 'Go to the app' : 'Sign in'}
        </Link>
      </p>
    </Page>
  );
}
