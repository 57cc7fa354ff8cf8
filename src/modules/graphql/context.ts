import type { MercuriusContext } from 'mercurius';
import type { AuthUser } from '../../platform/http/auth-context.ts';
import { unauthenticated } from '../../platform/http/errors.ts';
import type { CalendarService } from '../calendar/index.ts';
import type { LoveNotesService } from '../love-notes/index.ts';
import type { ProfileService } from '../users/index.ts';

/** The services GraphQL calls: the very ones REST calls, wired in src/modules/index.ts. */
export interface GraphqlServices {
  loveNotes: LoveNotesService;
  users: ProfileService;
  calendar: CalendarService;
}

export interface GraphqlContext extends MercuriusContext {
  /** Set by the auth module's global hook from the bearer token, as for REST. */
  user: AuthUser | undefined;
  services: GraphqlServices;
}

/** Every field is about the caller, so each resolver starts here (introspection needs no token). */
export function callerOf(ctx: GraphqlContext): AuthUser {
  if (!ctx.user) throw unauthenticated();
  return ctx.user;
}
