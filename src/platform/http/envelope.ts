import { type Static, type TSchema, type TUnsafe, Type } from 'typebox';
import type { ErrorItem } from './errors.ts';
import type { Page } from './pagination.ts';

/** The shape of every response body, success or error (see docs/api.md). */
export interface Meta {
  requestId: string;
  timestamp: string;
  version: string;
  nextCursor?: string | null;
}

export interface Envelope<T> {
  success: boolean;
  data: T | null;
  errors: ErrorItem[] | null;
  meta: Meta;
}

export const API_VERSION = 'v1';

// Formatting a date costs more than the rest of the envelope; many responses share a millisecond.
let lastMillis = 0;
let lastTimestamp = '';
function timestampNow(): string {
  const now = Date.now();
  if (now !== lastMillis) {
    lastMillis = now;
    lastTimestamp = new Date(now).toISOString();
  }
  return lastTimestamp;
}

export function meta(requestId: string, extra?: Partial<Meta>): Meta {
  const base: Meta = { requestId, timestamp: timestampNow(), version: API_VERSION };
  return extra ? Object.assign(base, extra) : base;
}

export function successBody<T>(requestId: string, data: T, extra?: Partial<Meta>): Envelope<T> {
  return { success: true, data, errors: null, meta: meta(requestId, extra) };
}

/** The success envelope around data that is already JSON text (a cached response). */
export function successEnvelopeText(dataJson: string, meta: Meta): string {
  return `{"success":true,"data":${dataJson},"errors":null,"meta":${JSON.stringify(meta)}}`;
}

export function errorBody(requestId: string, errors: ErrorItem[]): Envelope<null> {
  return { success: false, data: null, errors, meta: meta(requestId) };
}

const MetaSchema = Type.Object({
  requestId: Type.String(),
  timestamp: Type.String({ format: 'date-time' }),
  version: Type.String(),
  nextCursor: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});

export const ErrorItemSchema = Type.Object({
  code: Type.String({ description: 'Stable UPPER_SNAKE error code' }),
  message: Type.String(),
  field: Type.Optional(Type.String()),
});

function envelopeOf<T extends TSchema>(data: T) {
  return Type.Object({
    success: Type.Boolean(),
    data,
    errors: Type.Null(),
    meta: MetaSchema,
  });
}

/**
 * Wraps a route's data schema in the envelope, so serialization and OpenAPI
 * see the real body. Its static type is the data alone: a handler returns the
 * data and the conventions' preSerialization hook wraps it, so a typed route
 * checks what its handler returns against the schema.
 */
export function Enveloped<T extends TSchema>(data: T): TUnsafe<Static<T>> {
  return Type.Unsafe<Static<T>>(envelopeOf(data));
}

/**
 * The envelope of a paginated route (`config: { paginated: true }`): the body
 * is `Enveloped(Type.Array(item))`, and the handler returns a Page whose items
 * become `data` and whose cursor becomes `meta.nextCursor`.
 */
export function EnvelopedPage<T extends TSchema>(item: T): TUnsafe<Page<Static<T>>> {
  return Type.Unsafe<Page<Static<T>>>(envelopeOf(Type.Array(item)));
}

/**
 * An error answer in the route's schema: OpenAPI shows the error envelope;
 * handlers never return one (they throw, and the error handler answers).
 */
export const ErrorResponse: TUnsafe<never> = Type.Unsafe<never>({ $ref: 'ErrorEnvelope#' });

export const ErrorEnvelopeSchema = Type.Object(
  {
    success: Type.Literal(false),
    data: Type.Null(),
    errors: Type.Array(ErrorItemSchema),
    meta: MetaSchema,
  },
  { $id: 'ErrorEnvelope', description: 'Any error response' },
);

/** The answer of a route that replies 204: no body at all. */
export const NoContent = Type.Null({ description: 'Done; no body' });

/** A redirect: no body, `Location` says where. */
export const Redirect = Type.Null({ description: 'A redirect; Location says where' });

/**
 * An error status only some routes answer (most are filled in by openapi.ts):
 * `response: { 403: ErrorAnswer }`. The document shows the shared entry.
 */
export const ErrorAnswer = { $ref: 'ErrorEnvelope#' } as const;
