import { unwrap } from '@one2one/client';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, onSignedOut, type RefreshedSession, refreshSession, setAccessToken } from '../api.ts';
import { queryClient } from '../query-client.ts';
import { botCheckSolution } from './bot-check.ts';

export type SignedInUser = RefreshedSession['user'];

type AuthState =
  | { status: 'loading' }
  | { status: 'signed-out' }
  | { status: 'signed-in'; user: SignedInUser };

export type SignInResult = { done: true } | { done: false; mfaToken: string };

interface AuthApi {
  state: AuthState;
  signIn(email: string, password: string): Promise<SignInResult>;
  completeMfa(mfaToken: string, code: { code: string } | { recoveryCode: string }): Promise<void>;
  register(input: { email: string; password: string; displayName: string }): Promise<void>;
  signOut(): Promise<void>;
  /** Picks up a session the API started by cookie (the OAuth callback); false when there is none. */
  resume(): Promise<boolean>;
}

const AuthContext = createContext<AuthApi | null>(null);
// Cookie mode: the refresh token becomes an httpOnly cookie and never reaches this page's script.
const COOKIE_MODE = { 'x-auth-transport': 'cookie' } as const;

export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<AuthState>({ status: 'loading' });

  const signedIn = useCallback((session: { accessToken: string; user: SignedInUser }) => {
    setAccessToken(session.accessToken);
    setState({ status: 'signed-in', user: session.user });
  }, []);

  useEffect(() => {
    onSignedOut(() => {
      queryClient.clear();
      setState({ status: 'signed-out' });
    });
    // A session from an earlier visit: the refresh cookie is still there.
    refreshSession().then(
      (session) => (session ? signedIn(session) : setState({ status: 'signed-out' })),
      () => setState({ status: 'signed-out' }),
    );
  }, [signedIn]);

  const value = useMemo<AuthApi>(
    () => ({
      state,
      async signIn(email, password) {
        const data = await unwrap(
          api.POST('/v1/auth/login', { body: { email, password }, headers: COOKIE_MODE }),
        );
        if ('mfaRequired' in data) return { done: false, mfaToken: data.mfaToken };
        signedIn(data);
        return { done: true };
      },
      async completeMfa(mfaToken, code) {
        const data = await unwrap(
          api.POST('/v1/auth/mfa/challenge', { body: { mfaToken, ...code }, headers: COOKIE_MODE }),
        );
        signedIn(data);
      },
      async register(input) {
        const botCheck = await botCheckSolution();
        const data = await unwrap(
          api.POST('/v1/auth/register', {
            body: { ...input, acceptTerms: true, ...(botCheck ? { botCheck } : {}) },
            headers: COOKIE_MODE,
          }),
        );
        signedIn(data);
      },
      async resume() {
        const session = await refreshSession().catch(() => null);
        if (session) signedIn(session);
        else setState({ status: 'signed-out' });
        return session !== null;
      },
      async signOut() {
        await api.POST('/v1/auth/logout').catch(() => undefined);
        setAccessToken(null);
        queryClient.clear();
        setState({ status: 'signed-out' });
      },
    }),
    [state, signedIn],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthApi {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside AuthProvider');
  return auth;
}

/** The signed-in user; only for pages behind RequireAuth. */
export function useUser(): SignedInUser {
  const { state } = useAuth();
  if (state.status !== 'signed-in') throw new Error('useUser on a page without RequireAuth');
  return state.user;
}
