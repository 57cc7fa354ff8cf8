export { type Api, type ApiClientOptions, createApiClient, unwrap } from './client.ts';
export { ApiError, type ErrorEnvelope, type ErrorItem, retryAfterSeconds } from './errors.ts';
export { TokenBucket } from './rate-limiter.ts';
export type { ResilienceOptions, Session } from './resilient-fetch.ts';
export type { components, operations, paths } from './schema.ts';

import type { paths } from './schema.ts';

type JsonOf<Answer> = Answer extends { content: { 'application/json': infer Body } } ? Body : never;
type SuccessOf<Operation> = Operation extends { responses: infer R }
  ? R extends { 200: infer A }
    ? JsonOf<A>
    : R extends { 201: infer A }
      ? JsonOf<A>
      : R extends { 202: infer A }
        ? JsonOf<A>
        : never
  : never;

/** The envelope's `data` of an operation's success: `DataOf<'/v1/love-notes', 'get'>`. */
export type DataOf<P extends keyof paths, M extends keyof paths[P]> =
  SuccessOf<paths[P][M]> extends { data: infer D } ? D : never;

/** The JSON body an operation takes: `BodyOf<'/v1/love-notes', 'post'>`. */
export type BodyOf<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;
