import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from '../platform/platform.ts';
import { authModule, authService } from './auth/index.ts';
import { couplesModule, partnerOf } from './couples/index.ts';
import { graphqlModule } from './graphql/index.ts';
import { createLoveNotesModule, loveNotesService } from './love-notes/index.ts';
import { notificationsModule } from './notifications/index.ts';
import { notificationProfile, profileService, usersModule } from './users/index.ts';

/**
 * A bounded context. `MODULES` picks which ones a process mounts, so the
 * design's service split is a deployment choice, not a fork.
 */
export interface AppModule {
  name: string;
  /**
   * How the module exports and erases what it holds about a person (GDPR).
   * Required of every module that owns tables: the test suite checks it.
   */
  personalData?: PersonalData;
  routes?: FastifyPluginAsync<{ platform: Platform }>;
  /** Where `routes` mount: `/v1` unless a module's API is not versioned by URL (GraphQL: ''). */
  prefix?: string;
  /**
   * Registered on the root app (wrap it with fastify-plugin) before any routes, in
   * every API process whatever MODULES says: request-wide hooks and unversioned
   * routes, e.g. auth's bearer check and JWKS.
   */
  global?: FastifyPluginAsync<{ platform: Platform }>;
  /** Starts the module's consumers and jobs in a worker; returns a stop function. */
  worker?: (platform: Platform) => Promise<() => Promise<void>>;
}

export interface PersonalData {
  /** JSON-serialisable data about the user; becomes `<module>.json` in their export ZIP. */
  export(platform: Platform, userId: string): Promise<unknown>;
  /** Erases or anonymises everything the module holds about the user. Idempotent. */
  erase(platform: Platform, userId: string): Promise<void>;
}

export const MODULES: AppModule[] = [
  authModule,
  // users learns "who is the partner" from couples here, so neither module imports the other both ways.
  usersModule({ partnerOf, dataOwners: () => MODULES }),
  couplesModule,
  notificationsModule({
    // Language and quiet hours from the profile, the address from the sign-in account.
    profile: notificationProfile,
    contact: async (platform, userId) => {
      const user = await authService(platform).getUser(userId);
      return user && { email: user.email };
    },
  }),
  createLoveNotesModule(),
  // The same services REST calls; GraphQL adds a query language, not rules.
  graphqlModule((platform) => ({
    loveNotes: loveNotesService(platform),
    users: profileService(platform, partnerOf),
  })),
];

export function modulesFor(selection: string[] | 'all'): AppModule[] {
  if (selection === 'all') return MODULES;
  const unknown = selection.filter((name) => !MODULES.some((m) => m.name === name));
  if (unknown.length > 0) throw new Error(`MODULES names unknown modules: ${unknown.join(', ')}`);
  return MODULES.filter((m) => selection.includes(m.name));
}
