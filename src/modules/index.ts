import type { AppModule } from '../platform/module.ts';
import { selectModules } from '../platform/module.ts';
import { aiCoachModule } from './ai-coach/index.ts';
import { analyticsModule } from './analytics/index.ts';
import { apiKeysModule } from './api-keys/index.ts';
import { authModule, authService } from './auth/index.ts';
import { calendarModule, calendarService } from './calendar/index.ts';
import { contentModule, searchLibrary } from './content/index.ts';
import { couplesModule, partnerOf } from './couples/index.ts';
import { featureFlagsModule, isEnabled } from './feature-flags/index.ts';
import { graphqlModule } from './graphql/index.ts';
import { createLoveNotesModule, loveNotesService } from './love-notes/index.ts';
import { notificationsModule } from './notifications/index.ts';
import { isPremium, paymentsModule } from './payments/index.ts';
import { questionsModule } from './questions/index.ts';
import { notificationProfiles, profileService, usersModule } from './users/index.ts';

/**
 * Every bounded context, in mounting order: adding a module is one entry
 * here plus its own folder. Where one module needs another, the wiring is
 * explicit below (a function of the other's public index.ts), so no module
 * imports the list and neither side imports the other both ways.
 */
export const MODULES: AppModule[] = [
  authModule,
  // Server-to-server keys: checked in every process (global), managed under /v1/admin/api-keys.
  apiKeysModule,
  // users learns "who is the partner" from couples, and asks auth to confirm a password before deletion.
  usersModule({
    partnerOf,
    dataOwners: () => MODULES,
    confirmIdentity: (platform, userId, proof) => authService(platform).confirmIdentity(userId, proof),
  }),
  couplesModule,
  notificationsModule({
    // Language and quiet hours from the profile, the address from the sign-in account.
    profiles: notificationProfiles,
    contacts: (platform, userIds) => authService(platform).contactsOf(userIds),
  }),
  createLoveNotesModule(),
  // Premium per couple: plans, checkout, webhooks, invoices; entitlementsOf(platform) for other modules.
  paymentsModule,
  // Premium bodies open to couples whose entitlement allows it.
  contentModule({ isPremium }),
  // Feature flags (OpenFeature, provider on our database): isEnabled(platform, key, userId, fallback) for the others.
  featureFlagsModule,
  // The coach's budget follows premium; its offline coach and sources draw on the content library;
  // the `coach` flag switches it off (on when the flag is missing or unreadable).
  aiCoachModule({
    isPremium,
    library: searchLibrary,
    isOn: (platform, userId) => isEnabled(platform, 'coach', userId, true),
  }),
  // Shared events, iCal feed, countdowns and reminders; couples and users through its dependencies.ts.
  calendarModule(),
  // Daily questions and the quiz; couples and users through its dependencies.ts.
  questionsModule(),
  // The same services REST calls; GraphQL adds a query language, not rules.
  // Records client events and the other modules' bus events (its consumed list: analytics/events.ts).
  analyticsModule(),
  graphqlModule((platform) => ({
    loveNotes: loveNotesService(platform),
    users: profileService(platform, partnerOf),
    calendar: calendarService(platform),
  })),
];

/** The modules a `MODULES` selection names (`all` by default). */
export function modulesFor(selection: string[] | 'all'): AppModule[] {
  return selectModules(MODULES, selection);
}
