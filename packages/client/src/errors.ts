import type { components } from './schema.ts';

export type ErrorEnvelope = components['schemas']['ErrorEnvelope'];
export type ErrorItem = ErrorEnvelope['errors'][number];

/**
 * An answer that was not a success, typed from the API's error envelope.
 * `code` is the first error's stable code (`VALIDATION_ERROR`, `NOT_FOUND`…);
 * `field` names the input at fault where the API says so.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly errors: ErrorItem[];
  readonly requestId: string | undefined;
  /** Seconds the API asked us to wait (429/503 `Retry-After`), when it said. */
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, errors: ErrorItem[], requestId?: string, retryAfterSeconds?: number) {
    super(errors[0]?.message ?? `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = errors[0]?.code ?? (status === 0 ? 'NETWORK_ERROR' : `HTTP_${status}`);
    this.errors = errors;
    this.requestId = requestId;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** The message the API gave for one input field, for showing next to it. */
  fieldMessage(field: string): string | undefined {
    return this.errors.find((error) => error.field === field)?.message;
  }
}

function isErrorEnvelope(body: unknown): body is ErrorEnvelope {
  return (
    typeof body === 'object' &&
    body !== null &&
    (body as { success?: unknown }).success === false &&
    Array.isArray((body as { errors?: unknown }).errors)
  );
}

/** Builds the ApiError of a failed answer whatever its body was (a proxy's HTML page included). */
export function apiErrorOf(response: Response, body: unknown): ApiError {
  const retryAfter = retryAfterSeconds(response.headers.get('retry-after'));
  if (isErrorEnvelope(body)) {
    return new ApiError(response.status, body.errors, body.meta?.requestId, retryAfter);
  }
  return new ApiError(
    response.status,
    [{ code: `HTTP_${response.status}`, message: response.statusText || `HTTP ${response.status}` }],
    response.headers.get('x-request-id') ?? undefined,
    retryAfter,
  );
}

/** `Retry-After` as seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}
