import type { ReactNode } from 'react';
import { Navigate, NavLink, Route, Routes } from 'react-router';
import { useUser } from '../auth/AuthProvider.tsx';
import { RequireRole } from '../auth/guards.tsx';
import { sectionsFor } from './admin-nav.ts';
import { AnalyticsPage } from './analytics/AnalyticsPage.tsx';
import { ContentEditorPage } from './content/ContentEditorPage.tsx';
import { ContentListPage } from './content/ContentListPage.tsx';
import { DeadLettersPage } from './dead-letters/DeadLettersPage.tsx';
import { FlagsPage } from './flags/FlagsPage.tsx';
import { NotificationFailuresPage } from './notifications/NotificationFailuresPage.tsx';
import { UsersPage } from './users/UsersPage.tsx';
import './admin.css';

const adminOnly = (page: ReactNode) => <RequireRole roles={['admin']}>{page}</RequireRole>;

/** /admin/*: the sub-navigation and the sections this person's role may open. */
export function AdminPanel() {
  const user = useUser();
  const sections = sectionsFor(user.role);
  const first = sections[0]?.path ?? 'content';
  return (
    <div className="admin">
      <nav aria-label="Admin" className="admin-nav">
        <ul>
          {sections.map((section) => (
            <li key={section.path}>
              <NavLink to={`/admin/${section.path}`}>{section.label}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <Routes>
        <Route index element={<Navigate to={first} replace />} />
        <Route path="users" element={adminOnly(<UsersPage />)} />
        <Route path="users/:id" element={adminOnly(<UsersPage />)} />
        <Route path="dead-letters" element={adminOnly(<DeadLettersPage />)} />
        <Route path="notifications" element={adminOnly(<NotificationFailuresPage />)} />
        <Route path="content" element={<ContentListPage />} />
        <Route path="content/new" element={<ContentEditorPage />} />
        <Route path="content/:id" element={<ContentEditorPage />} />
        <Route path="flags" element={adminOnly(<FlagsPage />)} />
        <Route path="analytics" element={adminOnly(<AnalyticsPage />)} />
        <Route path="*" element={<p className="card">There is no such admin page.</p>} />
      </Routes>
    </div>
  );
}
