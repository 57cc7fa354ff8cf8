import { Outlet, type RouteObject } from 'react-router';
import { adminRoute } from './admin/entry.tsx';
import { RequireAuth } from './auth/guards.tsx';
import { SignInPage } from './auth/SignInPage.tsx';
import { SignUpPage } from './auth/SignUpPage.tsx';
import { HomePage } from './home/HomePage.tsx';
import { AppShell } from './layout/AppShell.tsx';
import { NotFoundPage } from './layout/NotFoundPage.tsx';

/** Pages behind sign-in; each feature lazy-loads its own code. */
const signedIn: RouteObject[] = [{ index: true, element: <HomePage /> }, adminRoute];

export const routes: RouteObject[] = [
  {
    element: <AppShell />,
    children: [
      { path: 'signin', element: <SignInPage /> },
      { path: 'signup', element: <SignUpPage /> },
      {
        element: (
          <RequireAuth>
            <Outlet />
          </RequireAuth>
        ),
        children: signedIn,
      },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];
