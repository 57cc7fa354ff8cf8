import { NavLink, Outlet } from 'react-router';
import { Page } from '../ui/Page.tsx';
import './settings.css';

const SECTIONS = [
  { to: '/settings', label: 'Profile', end: true },
  { to: '/settings/notifications', label: 'Notifications' },
  { to: '/settings/security', label: 'Security' },
  { to: '/settings/privacy', label: 'Privacy' },
  { to: '/settings/billing', label: 'Billing' },
];

/** Settings: one heading, a section menu, and the chosen section below it. */
export function SettingsLayout() {
  return (
    <Page title="Settings">
      <nav aria-label="Settings sections" className="settings-nav">
        <ul>
          {SECTIONS.map((section) => (
            <li key={section.to}>
              <NavLink to={section.to} end={section.end}>
                {section.label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <Outlet />
    </Page>
  );
}
