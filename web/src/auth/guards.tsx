import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { Loading } from '../ui/Page.tsx';
import { useAuth } from './AuthProvider.tsx';

/** Pages for signed-in people: others go to sign-in and come back afterwards. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { state } = useAuth();
  const location = useLocation();
  if (state.status === 'loading') return <Loading />;
  if (state.status === 'signed-out')
    return <Navigate to="/signin" replace state={{ from: location.pathname }} />;
  return children;
}

/**
 * Staff pages (the admin panel). The API checks every admin call itself; this
 * only keeps the panel out of view for people who cannot use it.
 */
export function RequireRole({ roles, children }: { roles: Array<'admin' | 'editor'>; children: ReactNode }) {
  const { state } = useAuth();
  if (state.status !== 'signed-in') return <RequireAuth>{children}</RequireAuth>;
  if (!(roles as string[]).includes(state.user.role)) {
    return (
      <p className="error" role="alert">
        This page is for the team only.
      </p>
    );
  }
  return children;
}
