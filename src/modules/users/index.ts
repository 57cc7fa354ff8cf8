import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Config } from '../../platform/config.ts';
import type { AppModule } from '../../platform/module.ts';
import type { Platform } from '../../platform/platform.ts';
import { adminRoutes } from './admin-routes.ts';
import { createBackground } from './background.ts';
import { currentVersions, recordConsent } from './consents.ts';
import type { IdentityConfirmer, PartnerLookup, PersonalDataOwner, UsersContext } from './context.ts';
import { eraseUser, pendingDeletions } from './erasure.ts';
import { consumeUsersEvents, USERS_EVENTS } from './events.ts';
import { purgeExpiredExports, runExport } from './export.ts';
import { USERS_JOBS } from './jobs.ts';
import { migrations } from './migrations/index.ts';
import { usersPersonalData } from './personal-data.ts';
import { defaultPreferences, mergePreferences } from './preferences.ts';
import { privacyRoutes } from './privacy-routes.ts';
import { findProfiles, insertProfileIfMissing } from './repo.ts';
import { profileRoutes } from './routes.ts';
import type { ProfileUpdate } from './schemas.ts';
import * as service from './service.ts';
import type { UsersDb } from './tables.ts';

/**
 * The users module: profiles, preferences, avatar, search, consents, export,
 * deletion and admin suspension. Other modules import only this file.
 */
/** Cache tags of profile reads, for other modules' cached answers that depend on a profile (time zone). */
export { partnerProfileTag, profileTag } from './cache.ts';
export {
  currentVersions as currentConsentVersions,
  hasCurrentConsent,
  withCurrentConsent,
} from './consents.ts';
export type { IdentityConfirmer, PartnerLookup } from './context.ts';
export { ProfileUpdate, UserIdParams } from './schemas.ts';
export type { ProfileView } from './service.ts';
export { eraseUser, runExport };

/** Idempotent: creates a profile with defaults (the `user.registered` consumer calls this). */
export function ensureProfile(
  platform: Platform,
  userId: string,
  seed?: { displayName?: string | null; locale?: string; timeZone?: string },
) {
  return service.ensureProfile(platform.database.db as UsersDb, userId, seed);
}

/**
 * What a new account starts with in the users module, written in the caller's
 * transaction (auth's registration), so the account, its profile and its
 * consent commit together: the profile with the display name given at
 * sign-up (the profile owns the name from then on), and, when given, the
 * consent to the current terms (the one consent record, one terms version).
 */
export async function startAccount(
  executor: unknown,
  config: Pick<Config, 'auth'>,
  userId: string,
  seed: { displayName: string; acceptTerms: boolean },
  origin: { ip: string | null; userAgent: string | null },
): Promise<void> {
  const db = executor as UsersDb;
  await insertProfileIfMissing(db, { userId }, { displayName: seed.displayName });
  if (!seed.acceptTerms) return;
  const versions = currentVersions(config);
  await recordConsent(
    db,
    versions,
    userId,
    { type: 'terms', version: versions.terms!, granted: true },
    origin,
  );
}

/**
 * Display names by user id, from the profile (their one home), read through
 * `executor` so a caller's open transaction sees its own writes. A person
 * without a profile or a name is absent.
 */
export async function displayNames(executor: unknown, userIds: string[]): Promise<Map<string, string>> {
  const rows = await findProfiles(executor as UsersDb, userIds);
  return new Map(
    rows.flatMap((row) =>
      row.display_name !== null && row.status !== 'deleted' ? [[row.user_id, row.display_name]] : [],
    ),
  );
}

/**
 * Where and when people want to hear from the app, for the notifications
 * module: time zone, locale and quiet hours, keyed by user id. One statement
 * for any number of people (intake reads a whole batch's recipients at once);
 * someone without a profile is missing from the map. A read without side effects.
 */
export async function notificationProfiles(platform: Platform, userIds: string[]) {
  const profiles = new Map<
    string,
    { timeZone: string; locale: string; quietHours: { enabled: boolean; start: string; end: string } }
  >();
  if (userIds.length === 0) return profiles;
  const rows = await (platform.database.db as UsersDb)
    .selectFrom('users_profiles')
    .leftJoin('users_preferences', 'users_preferences.user_id', 'users_profiles.user_id')
    .select([
      'users_profiles.user_id',
      'users_profiles.time_zone',
      'users_profiles.locale',
      'users_preferences.preferences',
    ])
    .where('users_profiles.user_id', '=', sql<string>`any(${[...new Set(userIds)]}::uuid[])`)
    .execute();
  for (const row of rows) {
    const preferences = mergePreferences(defaultPreferences(), (row.preferences ?? {}) as never);
    profiles.set(row.user_id, {
      timeZone: row.time_zone,
      locale: row.locale,
      quietHours: preferences.quietHours,
    });
  }
  return profiles;
}

/**
 * A person's IANA time zone and BCP 47 locale, for modules that schedule or
 * format on their behalf (love notes). A read without side effects;
 * undefined for someone without a profile.
 */
export async function regionalSettings(
  platform: Platform,
  userId: string,
): Promise<{ timeZone: string; locale: string } | undefined> {
  const profile = await (platform.database.db as UsersDb)
    .selectFrom('users_profiles')
    .select(['time_zone', 'locale'])
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return profile && { timeZone: profile.time_zone, locale: profile.locale };
}

/** Public cards (id, handle, display name, avatar) of the given users, keyed by id. */
export function profileCards(platform: Platform, userIds: string[]) {
  return service.cardsOf({ db: platform.database.db as UsersDb, storage: platform.storage }, userIds);
}

/**
 * Profile reads and the profile update exactly as REST does them (same
 * visibility, validation and errors), for another API surface: GraphQL.
 * Input must already match the REST schemas (`ProfileUpdate`, `UserIdParams`).
 */
export function profileService(platform: Platform, partnerOf: PartnerLookup) {
  const ctx = { platform, db: platform.database.db as UsersDb, storage: platform.storage, partnerOf };
  return {
    get: (callerId: string, targetId: string) => service.getProfile(ctx, callerId, targetId),
    seenBy: (callerId: string, targetIds: string[]) => service.profilesSeenBy(ctx, callerId, targetIds),
    updateMine: (callerId: string, input: ProfileUpdate) => service.updateMe(ctx, callerId, input),
  };
}
export type ProfileService = ReturnType<typeof profileService>;

export interface UsersModuleOptions {
  partnerOf: PartnerLookup;
  /** Every module, for export and erasure. */
  dataOwners: () => PersonalDataOwner[];
  /**
   * Checks a password or MFA code before account deletion (the auth module
   * owns credentials); without it, deletion is refused rather than unconfirmed.
   */
  confirmIdentity?: (
    platform: Platform,
    ...args: Parameters<IdentityConfirmer>
  ) => ReturnType<IdentityConfirmer>;
}

function context(platform: Platform, options: UsersModuleOptions, log: FastifyInstance['log']): UsersContext {
  return {
    platform,
    db: platform.database.db as UsersDb,
    storage: platform.storage,
    partnerOf: options.partnerOf,
    dataOwners: options.dataOwners,
    confirmIdentity: () => {
      if (replaced) return replaced.confirm;
      const confirm = options.confirmIdentity;
      return confirm && ((userId, proof) => confirm(platform, userId, proof));
    },
    background: createBackground(log),
  };
}

let replaced: { confirm: IdentityConfirmer | undefined } | undefined;

/**
 * Replaces the confirmer wired in src/modules/index.ts (auth's) for every
 * app in this process; `undefined` means none, so deletion answers 503.
 * Tests use it to check deletion without real credentials.
 */
export function registerIdentityConfirmer(confirm: IdentityConfirmer | undefined): void {
  replaced = { confirm };
}

export function usersModule(options: UsersModuleOptions): AppModule {
  return {
    name: 'users',
    tablePrefix: 'users_',
    migrations,
    events: USERS_EVENTS,
    jobs: USERS_JOBS,
    personalData: usersPersonalData,
    async routes(app, { platform }) {
      const ctx = context(platform, options, app.log);
      // Shutdown waits for exports and erasures already under way.
      app.addHook('onClose', () => ctx.background.idle());
      await app.register(profileRoutes, { ctx });
      await app.register(privacyRoutes, { ctx });
    },
    async admin(app, { platform }) {
      await app.register(adminRoutes, { ctx: context(platform, options, app.log) });
    },
    async worker(platform) {
      consumeUsersEvents(platform);
      const deps = {
        platform,
        db: platform.database.db as UsersDb,
        storage: platform.storage,
        dataOwners: options.dataOwners,
      };
      // Finishes interrupted deletions and drops expired export files; idempotent, so a failed run is simply tried again.
      platform.jobs.define('users.sweep', async () => {
        for (const userId of await pendingDeletions(deps)) await eraseUser(deps, userId);
        await purgeExpiredExports(deps);
      });
      platform.jobs.recurring({ name: 'users.sweep', everyMs: 5 * 60_000, payload: {} });
      return async () => {};
    },
  };
}
