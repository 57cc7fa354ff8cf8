import { NavLink, Outlet } from 'react-router';
import { useAuth } from '../auth/AuthProvider.tsx';
import { useLiveStatus } from '../realtime/useLiveEvents.ts';
import { NAV } from './nav.ts';

export function AppShell() {
  const { state, signOut } = useAuth();
  const live = useLiveStatus();
  const role = state.status === 'signed-in' ? state.user.role : null;
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <NavLink to="/" className="brand">
          One 2 One Love
        </NavLink>
        {state.status === 'signed-in' && (
          <nav aria-label="Main">
            <ul>
              {NAV.filter((item) => !item.roles || (role && (item.roles as string[]).includes(role))).map(
                (item) => (
                  <li key={item.to}>
                    <NavLink to={item.to} end={item.to === '/'}>
                      {item.label}
                    </NavLink>
                  </li>
                ),
              )}
            </ul>
          </nav>
        )}
        {state.status === 'signed-in' && (
          <div className="session">
            <span className={live ? 'live on' : 'live'} role="status" aria-live="polite">
              {live ? 'Live' : 'Offline'}
            </span>
            <button type="button" className="link-button" onClick={() => void signOut()}>
              Sign out
            </button>
          </div>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
