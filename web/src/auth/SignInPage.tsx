import { useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { ErrorNotice, fieldError } from '../ui/ErrorNotice.tsx';
import { Field } from '../ui/Field.tsx';
import { Page } from '../ui/Page.tsx';
import { useFormSubmit } from '../ui/useFormSubmit.ts';
import { useAuth } from './AuthProvider.tsx';

export function SignInPage() {
  const auth = useAuth();
  const navigate = useNavigate();
  const cameFrom = (useLocation().state as { from?: string } | null)?.from;
  const from = cameFrom ?? '/';
  const [mfaToken, setMfaToken] = useState<string | null>(null);
  const [useRecovery, setUseRecovery] = useState(false);
  const { submit, busy, error } = useFormSubmit(async (form) => {
    if (mfaToken) {
      const code = String(form.get('code') ?? '').trim();
      await auth.completeMfa(mfaToken, useRecovery ? { recoveryCode: code } : { code });
      navigate(from, { replace: true });
    } else {
      const result = await auth.signIn(String(form.get('email')), String(form.get('password')));
      if (result.done) navigate(from, { replace: true });
      else setMfaToken(result.mfaToken);
    }
  });

  return (
    <Page title={mfaToken ? 'Two-step verification' : 'Sign in'}>
      <form className="card form" onSubmit={submit} noValidate>
        {mfaToken ? (
          <>
            <Field
              key={useRecovery ? 'recovery' : 'totp'}
              label={useRecovery ? 'Recovery code' : 'Code from your authenticator app'}
              name="code"
              autoComplete="one-time-code"
              inputMode={useRecovery ? 'text' : 'numeric'}
              required
              autoFocus
              error={fieldError(error, useRecovery ? 'recoveryCode' : 'code')}
            />
            <button type="button" className="link-button" onClick={() => setUseRecovery(!useRecovery)}>
              {useRecovery ? 'Use an authenticator code' : 'Use a recovery code'}
            </button>
          </>
        ) : (
          <>
            <Field
              label="Email"
              name="email"
              type="email"
              autoComplete="email"
              required
              error={fieldError(error, 'email')}
            />
            <Field
              label="Password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              error={fieldError(error, 'password')}
            />
          </>
        )}
        <ErrorNotice error={error} />
        <button type="submit" disabled={busy}>
          {mfaToken ? 'Verify' : 'Sign in'}
        </button>
      </form>
      {!mfaToken && (
        <p>
          New here?{' '}
          <Link to="/signup" state={cameFrom ? { from: cameFrom } : undefined}>
            Create an account
          </Link>{' '}
          · <Link to="/forgot-password">Forgot your password?</Link>
        </p>
      )}
    </Page>
  );
}
