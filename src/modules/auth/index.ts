import type { Platform } from '../../platform/platform.ts';
import type { AppModule } from '../index.ts';
import { authContext } from './context.ts';
import { consumeAuthEvents } from './events.ts';
import { authGlobal } from './hooks.ts';
import { authPersonalData } from './personal-data.ts';
import { pruneAuth } from './prune.ts';
import { findAccount, toUserView, type UserView } from './repo.ts';
import { authRoutes } from './routes.ts';
import { setAccountStatus } from './service.ts';
import type { AccountStatus, AuthDb } from './tables.ts';

/**
 * The auth module's public face: the only file other modules import.
 * Routes of any module guard themselves with platform/http's `requireAuth` /
 * `requireRole` and read the caller with `callerOf` (auth.ts there).
 */
export type { UserView } from './repo.ts';
export type { AccountStatus } from './tables.ts';

export const authModule: AppModule = {
  name: 'auth',
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
  /** Suspension and deletion end every session at once. */
  setStatus(userId: string, status: AccountStatus, actorId: string | null): Promise<void>;
}

export function authService(platform: Platform): AuthService {
  const ctx = () => authContext(platform, console);
  return {
    async getUser(userId) {
      const row = await findAccount((await ctx()).db, { userId });
      return row && row.status !== 'deleted' ? toUserView(row) : undefined;
    },
    async setStatus(userId, status, actorId) {
      await setAccountStatus(await ctx(), userId, status, actorId);
    },
  };
}
