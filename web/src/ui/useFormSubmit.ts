import { type FormEvent, useState } from 'react';

/**
 * A form's submit handler for actions that are not React Query mutations (sign-in, sign-up): it reads
 * the form, keeps `busy` while the action runs and keeps what it threw as `error` for the form to show.
 */
export function useFormSubmit(action: (form: FormData) => Promise<void>) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await action(form);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }
  return { submit, busy, error };
}
