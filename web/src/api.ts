import { createApiClient, type Session } from '@one2one/client';

/**
 * The web session: the access token lives in memory only; the refresh token
 * is the API's httpOnly `o2o_refresh` cookie (cookie mode), so script on the
 * page can never read it. A refresh proves itself with the readable
 * `o2o_csrf` cookie (docs/auth.md).
 */
let accessToken: string | null = null;
const listeners = new Set<(token: string | null) => void>();

export function setAccessToken(token: string | null): void {
  accessToken = token;
  for (const listener of listeners) listener(token);
}

export function getAccessToken(): string | null {
  return accessToken;
}

/** Called with each new token (or null on sign-out): the realtime socket re-authenticates with it. */
export function onAccessToken(listener: (token: string | null) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function csrfToken(): string | null {
  const match = document.cookie.match(/(?:^|;\s*)o2o_csrf=([^;]+)/);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}

export interface RefreshedSession {
  accessToken: string;
  user: { id: string; email: string; displayName: string | null; role: 'user' | 'editor' | 'admin' };
}

/** Exchanges the refresh cookie for a new access token; null when there is no session. */
export async function refreshSession(): Promise<RefreshedSession | null> {
  const csrf = csrfToken();
  if (!csrf) return null;
  const response = await fetch('/v1/auth/refresh', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrf, 'x-auth-transport': 'cookie' },
    body: '{}',
  });
  if (!response.ok) return null;
  const body = (await response.json()) as { data: RefreshedSession };
  setAccessToken(body.data.accessToken);
  return body.data;
}

let signedOutHandler: () => void = () => {};
export function onSignedOut(handler: () => void): void {
  signedOutHandler = handler;
}

const session: Session = {
  accessToken: () => accessToken,
  refresh: async () => (await refreshSession())?.accessToken ?? null,
  onSignedOut: () => {
    setAccessToken(null);
    signedOutHandler();
  },
};

export const api = createApiClient({ baseUrl: window.location.origin, session });
