import type { AuthUser } from '../../platform/http/auth-context.ts';
import type { ContentContext } from './context.ts';
import type { Visibility } from './tables.ts';

/**
 * Who may read which bodies: anyone reads public items; a signed-in reader
 * also members-only ones; a premium couple (and staff) everything. Everyone
 * sees titles, excerpts and previews. Every path that renders a body (API,
 * feed, search snippets) asks this.
 */
export type Access = 'anonymous' | 'member' | 'premium';

export async function accessOf(ctx: ContentContext, user: AuthUser | undefined): Promise<Access> {
  if (!user) return 'anonymous';
  if (user.role === 'editor' || user.role === 'admin') return 'premium';
  return (await ctx.isPremium(ctx.platform, user.id)) ? 'premium' : 'member';
}

const READABLE: Record<Access, Visibility[]> = {
  anonymous: ['public'],
  member: ['public', 'members'],
  premium: ['public', 'members', 'premium'],
};

export const readableVisibilities = (access: Access): Visibility[] => READABLE[access];

/** Null when the body may be shown; otherwise what would unlock it. */
export function lockOf(access: Access, visibility: Visibility): 'sign-in' | 'premium' | null {
  if (READABLE[access].includes(visibility)) return null;
  return visibility === 'members' || access === 'anonymous' ? 'sign-in' : 'premium';
}
