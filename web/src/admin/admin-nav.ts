/** The panel's sections; editors see only the content editor. */
export interface AdminSection {
  path: string;
  label: string;
  roles: Array<'admin' | 'editor'>;
}

export const ADMIN_SECTIONS: AdminSection[] = [
  { path: 'users', label: 'Users', roles: ['admin'] },
  { path: 'dead-letters', label: 'Dead letters', roles: ['admin'] },
  { path: 'notifications', label: 'Notification failures', roles: ['admin'] },
  { path: 'content', label: 'Content', roles: ['admin', 'editor'] },
  { path: 'flags', label: 'Feature flags', roles: ['admin'] },
  { path: 'analytics', label: 'Analytics', roles: ['admin'] },
];

export function sectionsFor(role: string): AdminSection[] {
  return ADMIN_SECTIONS.filter((section) => (section.roles as string[]).includes(role));
}
