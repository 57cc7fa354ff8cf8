import { Link, useLocation, useNavigate } from 'react-router';
import { ErrorNotice, fieldError } from '../ui/ErrorNotice.tsx';
import { Field } from '../ui/Field.tsx';
import { Page } from '../ui/Page.tsx';
import { useFormSubmit } from '../ui/useFormSubmit.ts';
import { useAuth } from './AuthProvider.tsx';

export function SignUpPage() {
  const auth = useAuth();
  const navigate = useNavigate();
  // Someone who opened an invite link signed out comes back to it once they have an account.
  const from = (useLocation().state as { from?: string } | null)?.from;
  const { submit, busy, error } = useFormSubmit(async (form) => {
    if (form.get('terms') !== 'on') throw new Error('Please accept the terms to create an account.');
    await auth.register({
      displayName: String(form.get('displayName')),
      email: String(form.get('email')),
      password: String(form.get('password')),
    });
    navigate(from ?? '/link', { replace: true });
  });

  return (
    <Page title="Create your account">
      <form className="card form" onSubmit={submit} noValidate>
        <Field
          label="Your name"
          name="displayName"
          autoComplete="nickname"
          required
          error={fieldError(error, 'displayName')}
        />
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
          autoComplete="new-password"
          minLength={12}
          required
          hint="12 characters or more; a passphrase works well."
          error={fieldError(error, 'password')}
        />
        <div className="checkbox">
          <input id="terms" name="terms" type="checkbox" />
          <label htmlFor="terms">I accept the terms and the privacy policy</label>
        </div>
        <ErrorNotice error={error} />
        <button type="submit" disabled={busy}>
          Create account
        </button>
      </form>
      <p>
        Already have an account?{' '}
        <Link to="/signin" state={from ? { from } : undefined}>
          Sign in
        </Link>
      </p>
    </Page>
  );
}
