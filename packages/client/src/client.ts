import createClient, { type Client } from 'openapi-fetch';
import { ApiError, apiErrorOf } from './errors.ts';
import { type ResilienceOptions, resilientFetch, type Session } from './resilient-fetch.ts';
import type { paths } from './schema.ts';

export type Api = Client<paths>;

export interface ApiClientOptions extends ResilienceOptions {
  /** Where the API is: `''` for the same origin (the web app), `https://api.example.com` elsewhere. */
  baseUrl: string;
  session?: Session;
  /** The underlying fetch (default globalThis.fetch; React Native's, undici's or a test's). */
  fetch?: (request: Request) => Promise<Response>;
  /** `include` sends cookies cross-origin (a web app on another origin in cookie mode). */
  credentials?: RequestCredentials;
}

/**
 * The typed client: `api.GET('/v1/love-notes', { params: { query: { limit: 20 } } })`
 * with paths, parameters, bodies and answers typed from the OpenAPI document.
 * Runs in browsers, Node and React Native (fetch and Request only).
 */
export function createApiClient(options: ApiClientOptions): Api {
  const inner = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  return createClient<paths>({
    baseUrl: options.baseUrl,
    fetch: resilientFetch(inner, options.session, options),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
}

interface Envelope<T> {
  data: T;
}

/**
 * The envelope's `data` of a call, or an ApiError: for React Query's queryFn,
 * `() => unwrap(api.GET('/v1/users/me'))` is typed as the user.
 */
export async function unwrap<T, E>(
  call: Promise<{ data?: Envelope<T>; error?: E; response: Response }>,
): Promise<T> {
  const result = await call;
  if (result.response.ok && result.data !== undefined) return result.data.data;
  if (result.response.ok) return undefined as T; // 204: no body
  throw apiErrorOf(result.response, result.error);
}

export { ApiError };
