import { AppError } from '../../platform/http/errors.ts';
import type { Platform } from '../../platform/platform.ts';
import * as service from './service.ts';
import type { UsersDb } from './tables.ts';

/**
 * What users consumes, as the `users` group: `user.registered` creates the
 * profile (seeded with the display name given at sign-up) in the handler's
 * transaction. ensureProfile is idempotent, so a redelivery or a profile the
 * first request already created changes nothing.
 */
export function consumeUsersEvents(platform: Platform): void {
  platform.bus.consume('users', ['user.registered'], async (event, trx) => {
    const { userId, displayName } = event.data;
    try {
      await service.ensureProfile(trx as unknown as UsersDb, userId, { displayName });
    } catch (error) {
      // An account erased before its registration event arrived stays erased: nothing to create.
      if (!(error instanceof AppError)) throw error;
    }
  });
}
