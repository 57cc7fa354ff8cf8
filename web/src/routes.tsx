import { Outlet, type RouteObject } from 'react-router';
import { adminRoute } from './admin/entry.tsx';
import { RequireAuth } from './auth/guards.tsx';
import { SignInPage } from './auth/SignInPage.tsx';
import { SignUpPage } from './auth/SignUpPage.tsx';
import { HomePage } from './home/HomePage.tsx';
import { AppShell } from './layout/AppShell.tsx';
import { NotFoundPage } from './layout/NotFoundPage.tsx';
import { PageError } from './layout/PageError.tsx';

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
  },
  {
    path: 'calendar',
    lazy: () => import('./calendar/CalendarPage.tsx').then((m) => ({ Component: m.CalendarPage })),
  },
  {
    path: 'question',
    lazy: () => import('./questions/QuestionPage.tsx').then((m) => ({ Component: m.QuestionPage })),
  },
  { path: 'coach', lazy: () => import('./coach/CoachPage.tsx').then((m) => ({ Component: m.CoachPage })) },
  { path: 'coach/:id', lazy: () => import('./coach/ChatPage.tsx').then((m) => ({ Component: m.ChatPage })) },
  {
    path: 'library',
    lazy: () => import('./library/LibraryPage.tsx').then((m) => ({ Component: m.LibraryPage })),
  },
  {
    path: 'library/podcasts',
    lazy: () => import('./library/PodcastsPage.tsx').then((m) => ({ Component: m.PodcastsPage })),
  },
  {
    path: 'library/:slug',
    lazy: () => import('./library/ArticlePage.tsx').then((m) => ({ Component: m.ArticlePage })),
  },
  {
    path: 'settings',
    lazy: () => import('./settings/SettingsLayout.tsx').then((m) => ({ Component: m.SettingsLayout })),
    children: [
      {
        index: true,
        lazy: () => import('./settings/ProfileSettings.tsx').then((m) => ({ Component: m.ProfileSettings })),
      },
      {
        path: 'notifications',
        lazy: () =>
          import('./settings/NotificationSettings.tsx').then((m) => ({ Component: m.NotificationSettings })),
      },
      {
        path: 'security',
        lazy: () =>
          import('./settings/SecuritySettings.tsx').then((m) => ({ Component: m.SecuritySettings })),
      },
      {
        path: 'privacy',
        lazy: () => import('./settings/PrivacySettings.tsx').then((m) => ({ Component: m.PrivacySettings })),
      },
      {
        path: 'billing',
        lazy: () => import('./settings/BillingSettings.tsx').then((m) => ({ Component: m.BillingSettings })),
      },
    ],
  },
  {
    path: 'premium',
    lazy: () => import('./premium/PremiumPage.tsx').then((m) => ({ Component: m.PremiumPage })),
  },
  adminRoute,
];

export const routes: RouteObject[] = [
  {
    element: <AppShell />,
    errorElement: <PageError />,
    children: [
      {
        // A page that fails shows its error inside the shell, so the navigation stays usable.
        errorElement: <PageError />,
        children: [
          { path: 'signin', element: <SignInPage /> },
          { path: 'signup', element: <SignUpPage /> },
          {
            path: 'verify-email',
            lazy: () => import('./auth/VerifyEmailPage.tsx').then((m) => ({ Component: m.VerifyEmailPage })),
          },
          {
            path: 'forgot-password',
            lazy: () =>
              import('./auth/ForgotPasswordPage.tsx').then((m) => ({ Component: m.ForgotPasswordPage })),
          },
          {
            path: 'reset-password',
            lazy: () =>
              import('./auth/ResetPasswordPage.tsx').then((m) => ({ Component: m.ResetPasswordPage })),
          },
          {
            path: 'auth/complete',
            lazy: () =>
              import('./auth/AuthCompletePage.tsx').then((m) => ({ Component: m.AuthCompletePage })),
          },
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
    ],
  },
];
