/**
 * Domain code throws these; one error handler turns them into a status and the
 * envelope. Codes are part of the API contract: never rename one.
 */
export type ErrorCode =
  | 'VALIDATION_ERROR'
  | 'UNAUTHENTICATED'
  /** An unexpired access token of a session that ended (sign-out, suspension, deletion, password change). */
  | 'TOKEN_REVOKED'
  | 'FORBIDDEN'
  /** A /v1/admin/* request from outside ADMIN_ALLOWED_IPS. */
  | 'IP_NOT_ALLOWED'
  /** Sign-up without a valid bot-check solution (proof of work or CAPTCHA token). */
  | 'BOT_CHECK_FAILED'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RATE_LIMITED'
  | 'UNSUPPORTED_VERSION'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL';

export interface ErrorItem {
  code: ErrorCode;
  message: string;
  field?: string;
}

export class AppError extends Error {
  readonly items: ErrorItem[];
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    options: { field?: string; items?: ErrorItem[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.items = options.items ?? [{ code, message, ...(options.field ? { field: options.field } : {}) }];
    this.headers = options.headers ?? {};
  }
  readonly headers: Record<string, string>;
}

export const validationError = (message: string, field?: string) =>
  new AppError(400, 'VALIDATION_ERROR', message, field ? { field } : {});

export const unauthenticated = (message = 'Authentication is required') =>
  new AppError(401, 'UNAUTHENTICATED', message);

export const forbidden = (message = 'You are not allowed to do this') =>
  new AppError(403, 'FORBIDDEN', message);

export const notFound = (resource: string, id?: string) =>
  new AppError(404, 'NOT_FOUND', id ? `${resource} ${id} was not found` : `${resource} was not found`);

export const conflict = (message: string) => new AppError(409, 'CONFLICT', message);

export const rateLimited = (retryAfterSeconds: number, message = 'Too many requests, slow down') =>
  new AppError(429, 'RATE_LIMITED', message, { headers: { 'retry-after': String(retryAfterSeconds) } });

export const serviceUnavailable = (
  retryAfterSeconds: number,
  message = 'The service is overloaded, retry later',
) =>
  new AppError(503, 'SERVICE_UNAVAILABLE', message, {
    headers: { 'retry-after': String(retryAfterSeconds) },
  });
