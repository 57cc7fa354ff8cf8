import { Field } from './Field.tsx';

/** True when the form's new password and its repetition (field `repeat`) differ. */
export function passwordsDiffer(form: FormData, name: string): boolean {
  return form.get(name) !== form.get('repeat');
}

/**
 * A new password typed twice, with the API's policy as the hint. `error` is the API's message for the
 * field; `mismatch` says the two differ (checked with `passwordsDiffer` before sending).
 */
export function NewPasswordFields({
  name,
  error,
  mismatch,
}: {
  name: string;
  error: string | undefined;
  mismatch: boolean;
}) {
  return (
    <>
      <Field
        label="New password"
        name={name}
        type="password"
        autoComplete="new-password"
        minLength={12}
        required
        hint="12 characters or more; a passphrase works well."
        error={error}
      />
      <Field
        label="Repeat the new password"
        name="repeat"
        type="password"
        autoComplete="new-password"
        required
        error={mismatch ? 'The two passwords differ.' : undefined}
      />
    </>
  );
}
