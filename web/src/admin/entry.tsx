import { lazy, Suspense } from 'react';
import type { RouteObject } from 'react-router';
import { RequireRole } from '../auth/guards.tsx';
import { Loading } from '../ui/Page.tsx';

/**
 * The panel's code (charts, the Markdown editor) is a chunk of its own that
 * is imported only once RequireRole has let a staff member through. React
 * Router's route `lazy` would fetch it as soon as the URL matched, before the
 * guard renders, so anyone typing /admin would download it.
 */
const AdminPanel = lazy(() => import('./AdminPanel.tsx').then((m) => ({ default: m.AdminPanel })));

export const adminRoute: RouteObject = {
  path: 'admin/*',
  element: (
    <RequireRole roles={['admin', 'editor']}>
      <Suspense fallback={<Loading what="Loading the admin panel" />}>
        <AdminPanel />
      </Suspense>
    </RequireRole>
  ),
};
