import type { Platform } from '../../platform/platform.ts';
import { flagsOf } from './client.ts';
import type { FlagStore } from './store.ts';
import type { FlagsDb } from './tables.ts';

/** What the admin use cases receive: the database and the process's flag copy to drop after a change. */
export interface FlagsContext {
  platform: Platform;
  db: FlagsDb;
  store: FlagStore;
}

export function flagsContext(platform: Platform): FlagsContext {
  return { platform, db: platform.database.db as FlagsDb, store: flagsOf(platform).store };
}
