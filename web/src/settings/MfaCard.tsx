import { ApiError, type DataOf, unwrap } from '@one2one/client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../api.ts';
import { ErrorNotice, fieldError } from '../ui/ErrorNotice.tsx';
import { Field } from '../ui/Field.tsx';
import { ConfirmPassword, needsRecentPassword } from './ConfirmPassword.tsx';

type Setup = DataOf<'/v1/auth/mfa/totp/setup', 'post'>;

/**
 * TOTP two-step verification. The API has no "is MFA on" read, so the state
 * starts from the current session's sign-in method (`password+totp`) and a
 * 409 from setup ("already on") corrects it.
 */
export function MfaCard({ signedInWithCode, onChanged }: { signedInWithCode: boolean; onChanged(): void }) {
  const queryClient = useQueryClient();
  const [enabled, setEnabled] = useState(signedInWithCode);
  const [setup, setSetup] = useState<Setup | null>(null);
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);

  const start = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/auth/mfa/totp/setup')),
    onSuccess: setSetup,
    onError: (error) => {
      if (error instanceof ApiError && error.status === 409) setEnabled(true);
    },
  });
  const enable = useMutation({
    mutationFn: (code: string) => unwrap(api.POST('/v1/auth/mfa/totp/enable', { body: { code } })),
    onSuccess: (data) => {
      setRecoveryCodes(data.recoveryCodes);
      setSetup(null);
      setEnabled(true);
      onChanged();
    },
  });
  const disable = useMutation({
    mutationFn: (proof: { code: string } | { password: string }) =>
      unwrap(api.POST('/v1/auth/mfa/totp/disable', { body: proof })),
    onSuccess: () => {
      setEnabled(false);
      setRecoveryCodes(null);
      void queryClient.invalidateQueries({ queryKey: ['settings', 'sessions'] });
    },
    onError: (error) => {
      if (error instanceof ApiError && error.status === 409) setEnabled(false);
    },
  });
  const regenerate = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/auth/mfa/recovery-codes')),
    onSuccess: (data) => setRecoveryCodes(data.recoveryCodes),
  });

  function submitEnable(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    enable.mutate(String(new FormData(event.currentTarget).get('code') ?? '').replace(/\s/g, ''));
  }
  function submitDisable(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const proof = String(new FormData(event.currentTarget).get('proof') ?? '').trim();
    disable.mutate(/^\d{6}$/.test(proof) ? { code: proof } : { password: proof });
  }

  const reauthError = [start.error, enable.error, regenerate.error].find(needsRecentPassword);
  return (
    <section className="card" aria-labelledby="mfa">
      <h2 id="mfa">Two-step verification</h2>
      {recoveryCodes && (
        <section className="recovery" aria-labelledby="recovery-title">
          <h3 id="recovery-title">Your recovery codes</h3>
          <p>
            Each code works once, if you lose your authenticator. Save them somewhere safe now: they are not
            shown again.
          </p>
          <ul className="codes" aria-label="Recovery codes">
            {recoveryCodes.map((code) => (
              <li key={code}>
                <code>{code}</code>
              </li>
            ))}
          </ul>
          <button type="button" className="secondary" onClick={() => setRecoveryCodes(null)}>
            I have saved them
          </button>
        </section>
      )}
      {reauthError ? (
        <ConfirmPassword
          onConfirmed={() => {
            start.reset();
            enable.reset();
            regenerate.reset();
          }}
        />
      ) : enabled ? (
        <>
          <p className="success">Two-step verification is on: signing in asks for a code from your app.</p>
          <form className="form" onSubmit={submitDisable}>
            <Field
              label="Code from your app, or your password"
              name="proof"
              autoComplete="one-time-code"
              required
              hint="Needed to turn two-step verification off."
              error={fieldError(disable.error, 'code') ?? fieldError(disable.error, 'password')}
            />
            <ErrorNotice error={disable.error ?? regenerate.error} />
            <div className="row">
              <button type="submit" className="danger" disabled={disable.isPending}>
                Turn off two-step verification
              </button>
              <button
                type="button"
                className="secondary"
                disabled={regenerate.isPending}
                onClick={() => regenerate.mutate()}
              >
                New recovery codes
              </button>
            </div>
          </form>
        </>
      ) : setup ? (
        <form className="form" onSubmit={submitEnable}>
          <p>
            Scan this code with an authenticator app (or type the key), then enter the 6-digit code it shows.
          </p>
          <img
            className="qr"
            src={setup.qrCode}
            alt="QR code to add One 2 One Love to your authenticator app"
            width={200}
            height={200}
          />
          <p>
            Key: <code className="secret">{setup.secret}</code>
          </p>
          <Field
            label="6-digit code"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9 ]*"
            required
            error={fieldError(enable.error, 'code')}
          />
          <ErrorNotice error={enable.error} />
          <div className="row">
            <button type="submit" disabled={enable.isPending}>
              Turn on two-step verification
            </button>
            <button type="button" className="secondary" onClick={() => setSetup(null)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <>
          <p>Add a code from an authenticator app to every sign-in.</p>
          <ErrorNotice error={start.error} />
          <button type="button" disabled={start.isPending} onClick={() => start.mutate()}>
            Set up two-step verification
          </button>
        </>
      )}
    </section>
  );
}
