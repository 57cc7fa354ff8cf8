import { Outlet, type RouteObject } from 'react-router';
import { RequireAuth } from './auth/guards.tsx';
import { SignInPage } from './auth/SignInPage.tsx';
import { SignUpPage } from './auth/SignUpPage.tsx';
import { HomePage } from './home/HomePage.tsx';
import { AppShell } from './layout/AppShell.tsx';
import { NotFoundPage } from './layout/NotFoundPage.tsx';

/** Pages behind sign-in; each feature lazy-loads its own code. */
const signedIn: RouteObject[] = [
  { index: true, element: <HomePage /> },
  { path: 'link', lazy: () => import('./couple/LinkPage.tsx').then((m) => ({ Component: m.LinkPage })) },
  {
    path: 'invite/:code',
    lazy: () => import('./couple/InvitePage.tsx').then((m) => ({ Component: m.InvitePage })),
  },
  {
    path: 'couple',
    lazy: () => import('./couple/CouplePage.tsx').then((m) => ({ Component: m.CouplePage })),
  },
  { path: 'notes', lazy: () => import('./notes/NotesPage.tsx').then((m) => ({ Component: m.NotesPage })) },
  {
    path: 'notes/new',
    lazy: () => import('./notes/ComposePage.tsx').then((m) => ({ Component: m.ComposePage })),
  },
  {
    path: 'notes/:id',
    lazy: () => import('./notes/NoteViewPage.tsx').then((m) => ({ Component: m.NoteViewPage })),
  {
    path: 'calendar',
    lazy: () => import('./calendar/CalendarPage.tsx').then((m) => ({ Component: m.CalendarPage })),
  },
  {
    path: 'question',
    lazy: () => import('./questions/QuestionPage.tsx').then((m) => ({ Component: m.QuestionPage })),
  },
];

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
