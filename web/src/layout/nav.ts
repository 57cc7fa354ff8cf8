/** The app's sections, in the order the navigation shows them. */
export interface NavItem {
  to: string;
  label: string;
  /** Only for these roles (the admin panel). */
  roles?: Array<'admin' | 'editor'>;
}

export const NAV: NavItem[] = [
  { to: '/', label: 'Home' },
  { to: '/notes', label: 'Notes' },
  { to: '/couple', label: 'Partner' },
  { to: '/calendar', label: 'Calendar' },
  { to: '/question', label: 'Daily question' },
  { to: '/coach', label: 'Coach' },
  { to: '/library', label: 'Library' },
  { to: '/premium', label: 'Premium' },
  { to: '/settings', label: 'Settings' },
  { to: '/admin', label: 'Admin', roles: ['admin', 'editor'] },
];
