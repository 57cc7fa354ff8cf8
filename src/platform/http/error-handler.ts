import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from './envelope.ts';
import { AppError, type ErrorCode, type ErrorItem } from './errors.ts';

/** Fastify's own error codes that are the client's fault, mapped to ours. */
export const FASTIFY_CLIENT_ERRORS: Record<string, { status: number; code: ErrorCode; message?: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'VALIDATION_ERROR', message: 'Body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'VALIDATION_ERROR', message: 'Body must not be empty' },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
    message: 'Body is larger than allowed',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'Content-Type is not supported here; send application/json (multipart/form-data for uploads)',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'VALIDATION_ERROR',
    message: 'Content-Length does not match the body',
  },
  FST_ERR_CTP_INVALID_TYPE: { status: 400, code: 'VALIDATION_ERROR', message: 'Content-Type is not valid' },
  FST_ERR_INVALID_URL: { status: 400, code: 'VALIDATION_ERROR', message: 'URL is not valid' },
  FST_ERR_BAD_URL: { status: 400, code: 'VALIDATION_ERROR', message: 'URL is not valid' },
  FST_ERR_MAX_PARAM_LENGTH: {
    status: 414,
    code: 'VALIDATION_ERROR',
    message: 'A part of the URL path is longer than allowed',
  },
};

function validationItems(error: FastifyError): ErrorItem[] {
  const context = error.validationContext ?? 'body';
  return (error.validation ?? []).map((issue) => {
    const path = (issue.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
    const missing = (issue.params as { missingProperty?: string } | undefined)?.missingProperty;
    const extra = (issue.params as { additionalProperty?: string } | undefined)?.additionalProperty;
    const field = [path, missing ?? extra].filter(Boolean).join('.') || context;
    const message = extra
      ? `${field} is not an accepted field`
      : missing
        ? `${field} is required`
        : `${field} ${issue.message ?? 'is invalid'}`;
    return { code: 'VALIDATION_ERROR' as const, message, field };
  });
}

/**
 * A safety net for input that passed a route's schema but not PostgreSQL
 * (a NUL byte, an out-of-range number, a duplicate key a service did not
 * expect): the client's fault or a transient clash, never a 500. Services
 * should still check these themselves and give a precise message.
 */
export function databaseErrorItem(
  error: unknown,
): { status: number; code: ErrorCode; message: string } | undefined {
  if (isConnectionLost(error)) {
    return {
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
      message: 'The database is unavailable; retry shortly',
    };
  }
  const sqlState = (error as { code?: unknown }).code;
  if (typeof sqlState !== 'string' || !/^[0-9A-Z]{5}$/.test(sqlState) || !('severity' in (error as object))) {
    return undefined;
  }
  if (sqlState.startsWith('22'))
    return { status: 400, code: 'VALIDATION_ERROR', message: 'A value is not valid' };
  if (sqlState === '23505') return { status: 409, code: 'CONFLICT', message: 'This already exists' };
  if (sqlState === '40001' || sqlState === '40P01') {
    return { status: 503, code: 'SERVICE_UNAVAILABLE', message: 'A concurrent change got in the way; retry' };
  }
  return undefined;
}

// Socket errors of a connection that could not be made or was cut.
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
// node-postgres' own errors for a lost connection or a pool that could not connect in time.
const LOST =
  /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Client was closed and is not queryable)/;

/**
 * The database could not be reached or cut the connection (restart, failover,
 * too many connections): a transient outage, answered 503 with Retry-After,
 * never a 500. The request's transaction did not commit, so a retry with the
 * same Idempotency-Key is safe.
 */
export function isConnectionLost(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (UNREACHABLE.has(code)) return true;
    // SQLSTATE 08 (connection exception), 57P01-57P03 (shut down, crashed, starting), 53300 (too many connections).
    if ('severity' in error && (/^08/.test(code) || /^57P0[123]$/.test(code) || code === '53300'))
      return true;
  }
  return typeof message === 'string' && LOST.test(message);
}

/** A write refused for lack of space (disk full, quota): an outage of ours, not a bug. */
export function isStorageFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

export function handleError(error: FastifyError | AppError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof AppError) {
    if (error.status >= 500) request.log.error({ err: error }, error.message);
    return reply.status(error.status).headers(error.headers).send(errorBody(request.id, error.items));
  }
  if (error.validation) {
    return reply.status(400).send(errorBody(request.id, validationItems(error)));
  }
  const known = error.code ? FASTIFY_CLIENT_ERRORS[error.code] : undefined;
  if (known) {
    return reply
      .status(known.status)
      .send(errorBody(request.id, [{ code: known.code, message: known.message ?? error.message }]));
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // Any other 4xx raised by Fastify or a plugin: keep its status, not its internals.
    return reply
      .status(status)
      .send(errorBody(request.id, [{ code: 'VALIDATION_ERROR', message: error.message }]));
  }
  const fromDatabase = databaseErrorItem(error);
  if (fromDatabase) {
    request.log.warn(
      { err: error },
      fromDatabase.status === 503 ? 'database unavailable' : 'database refused the input',
    );
    return reply
      .status(fromDatabase.status)
      .headers(fromDatabase.status === 503 ? { 'retry-after': '1' } : {})
      .send(errorBody(request.id, [{ code: fromDatabase.code, message: fromDatabase.message }]));
  }
  if (isStorageFull(error)) {
    request.log.error({ err: error }, 'storage is full');
    return reply
      .status(503)
      .headers({ 'retry-after': '60' })
      .send(
        errorBody(request.id, [
          { code: 'SERVICE_UNAVAILABLE', message: 'Storage is full; nothing was saved, retry later' },
        ]),
      );
  }
  request.log.error({ err: error }, 'unhandled error');
  // Never echo the message of an unexpected error: it may hold SQL, paths or secrets.
  return reply
    .status(500)
    .send(errorBody(request.id, [{ code: 'INTERNAL', message: 'Something went wrong on our side' }]));
}
