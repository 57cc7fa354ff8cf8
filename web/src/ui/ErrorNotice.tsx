import { ApiError } from '@one2one/client';

/** A failed call, said plainly: the API's message, and when to retry if it said. */
export function ErrorNotice({ error }: { error: unknown }) {
  if (!error) return null;
  const message =
    error instanceof ApiError
      ? error.retryAfterSeconds
        ? `${error.message} Try again in ${error.retryAfterSeconds} s.`
        : error.message
      : error instanceof Error
        ? error.message
        : 'Something went wrong.';
  return (
    <p className="error" role="alert">
      {message}
    </p>
  );
}

/** The message the API gave for one field of a failed form. */
export function fieldError(error: unknown, field: string): string | undefined {
  return error instanceof ApiError ? error.fieldMessage(field) : undefined;
}
