import type { AppModule } from '../../platform/module.ts';
import type { Platform } from '../../platform/platform.ts';
import { authConfig } from './config.ts';
import { authContext } from './context.ts';
import { AUTH_EVENTS, consumeAuthEvents } from './events.ts';
import { authGlobal } from './hooks.ts';
import { AUTH_JOBS } from './jobs.ts';
import { confirmIdentity } from './mfa.ts';
import { migrations } from './migrations/index.ts';
import { authPersonalData } from './personal-data.ts';
import { pruneAuth } from './prune.ts';
import { accountEmails, findAccount, type UserView, userViewOf } from './repo.ts';
import { authRoutes } from './routes.ts';
import { setAccountStatus } from './service.ts';
import type { AccountStatus, AuthDb } from './tables.ts';

/**
 * The auth module's public face: the only file other modules import.
 * Routes of any module guard themselves with platform/http's `requireAuth` /
 * `requireRole` and read the caller with `callerOf` (auth.ts there).
 */
export type { UserView } from './repo.ts';
/** Operators' role grants (`npm run cli -- users:grant-role`). */
export { grantRole, isRole, ROLES } from './roles.ts';
export type { AccountStatus } from './tables.ts';

export const authModule: AppModule = {
  name: 'auth',
  tablePrefix: 'auth_',
  migrations,
  events: AUTH_EVENTS,
  jobs: AUTH_JOBS,
  config: authConfig,
  global: authGlobal,
  routes: authRoutes,
  personalData: authPersonalData,
  async worker(platform) {
    consumeAuthEvents(platform);
    platform.jobs.define('auth.prune', async () => {
      await pruneAuth(platform.database.db as AuthDb);
    });
    platform.jobs.recurring({ name: 'auth.prune', cron: '41 * * * *', payload: {} });
    // The bus and the job runner stop them (platform worker).
    return async () => {};
  },
};

/** Synchronous reads and admin actions other modules (users, admin) may call. */
export interface AuthService {
  getUser(userId: string): Promise<UserView | undefined>;
  /** Sign-in emails of the given people (deleted accounts left out), in one read: notifications' intake. */
  contactsOf(userIds: string[]): Promise<Map<string, { email: string | null }>>;
  /** Suspension and deletion end every session at once. */
  setStatus(userId: string, status: AccountStatus, actorId: string | null): Promise<void>;
  /** Checks a password or MFA code before an irreversible step (the users module's account deletion). */
  confirmIdentity(userId: string, proof: { password?: string; code?: string }): Promise<boolean>;
}

export function authService(platform: Platform): AuthService {
  const ctx = () => authContext(platform, console);
  return {
    async getUser(userId) {
      const { db } = await ctx();
      const row = await findAccount(db, { userId });
      return row && row.status !== 'deleted' ? userViewOf(db, row) : undefined;
    },
    async contactsOf(userIds) {
      const { db } = await ctx();
      return new Map((await accountEmails(db, userIds)).map((row) => [row.id, { email: row.email }]));
    },
    async setStatus(userId, status, actorId) {
      await setAccountStatus(await ctx(), userId, status, actorId);
    },
    async confirmIdentity(userId, proof) {
      return confirmIdentity(await ctx(), userId, proof);
    },
  };
}
