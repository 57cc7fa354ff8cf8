import { ApiError, retryAfterSeconds } from './errors.ts';
import { TokenBucket } from './rate-limiter.ts';

/** How the client holds a session: the web app (cookies) and a mobile app (secure storage) differ. */
export interface Session {
  /** The current access token, or null when signed out. */
  accessToken(): string | null;
  /**
   * Gets a new access token (the web app refreshes with its httpOnly cookie, a
   * mobile app with its stored refresh token); null when the session is over.
   * The client calls it at most once at a time, however many calls got a 401.
   */
  refresh(): Promise<string | null>;
  /** The session ended (refresh refused): sign the person out. */
  onSignedOut?(): void;
}

export interface ResilienceOptions {
  /** Extra attempts after the first (default 3). */
  retries?: number;
  /** First backoff step in ms (default 250); doubles each attempt, full jitter. */
  backoffMs?: number;
  /** Longest single wait, backoff or Retry-After, in ms (default 10,000): a longer Retry-After is returned to the caller. */
  maxWaitMs?: number;
  /** Client-side limit (default 20 requests/s, bursts of 40, 100 waiting). */
  rateLimit?: { perSecond: number; burst: number; maxQueue?: number };
  /** A request id for each call (default crypto.randomUUID); the same id on every retry of one call. */
  requestId?: () => string;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
// A 401 from these means wrong credentials, not an expired token.
const NO_REFRESH = /\/v1\/auth\/(login|register|refresh|mfa\/challenge|password\/(forgot|reset))$/;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Wraps fetch with what every call needs: the access token and a request id,
 * a client-side rate limit, retries with exponential backoff and full jitter
 * (network errors, 502 and 504 for idempotent calls, i.e. safe methods, PUT,
 * DELETE or a call carrying an Idempotency-Key; 503 and 429 for any call, as
 * the API refuses those before doing anything), `Retry-After` honoured, and one
 * token refresh on 401 shared by every call waiting on it.
 */
export function resilientFetch(
  inner: (request: Request) => Promise<Response>,
  session: Session | undefined,
  options: ResilienceOptions = {},
): (request: Request) => Promise<Response> {
  const retries = options.retries ?? 3;
  const backoffMs = options.backoffMs ?? 250;
  const maxWaitMs = options.maxWaitMs ?? 10_000;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? defaultSleep;
  const requestId = options.requestId ?? randomRequestId;
  const limit = options.rateLimit ?? { perSecond: 20, burst: 40 };
  const bucket = new TokenBucket(limit.perSecond, limit.burst, limit.maxQueue ?? 100);
  let refreshing: Promise<string | null> | null = null;

  const refreshOnce = (): Promise<string | null> => {
    if (!session) return Promise.resolve(null);
    refreshing ??= session.refresh().finally(() => {
      refreshing = null;
    });
    return refreshing;
  };

  const backoff = (attempt: number) => Math.min(maxWaitMs, random() * backoffMs * 2 ** attempt);

  return async (original: Request) => {
    if (!(await bucket.take())) {
      throw new ApiError(0, [
        { code: 'CLIENT_RATE_LIMITED', message: 'Too many requests queued in this client' },
      ]);
    }
    const id = original.headers.get('x-request-id') ?? requestId();
    const idempotent = IDEMPOTENT.has(original.method) || original.headers.has('idempotency-key');
    const mayRefresh = session !== undefined && !NO_REFRESH.test(new URL(original.url).pathname);
    let refreshed = false;

    for (let attempt = 0; ; attempt++) {
      const request = original.clone();
      request.headers.set('x-request-id', id);
      const token = session?.accessToken();
      if (token && !request.headers.has('authorization'))
        request.headers.set('authorization', `Bearer ${token}`);

      let response: Response;
      try {
        response = await inner(request);
      } catch (error) {
        if (!idempotent || attempt >= retries || isAbort(error)) throw error;
        await sleep(backoff(attempt));
        continue;
      }

      if (response.status === 401 && mayRefresh && !refreshed) {
        refreshed = true;
        const fresh = await refreshOnce().catch(() => null);
        if (fresh) {
          attempt--; // a refresh is not a failed attempt
          continue;
        }
        session?.onSignedOut?.();
        return response;
      }

      const retryable =
        response.status === 503 ||
        response.status === 429 ||
        (idempotent && [502, 504].includes(response.status));
      if (!retryable || attempt >= retries) return response;
      const asked = retryAfterSeconds(response.headers.get('retry-after'));
      const wait = asked !== undefined ? asked * 1000 : backoff(attempt);
      if (wait > maxWaitMs) return response; // the caller shows "try again at …" instead of hanging
      await response.body?.cancel().catch(() => {});
      await sleep(wait);
    }
  };
}

/** A UUID v4; React Native's Hermes has no crypto.randomUUID, so fall back to getRandomValues or Math.random. */
function randomRequestId(): string {
  const crypto = globalThis.crypto as Crypto | undefined;
  if (crypto?.randomUUID) return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  if (crypto?.getRandomValues) crypto.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}
