import type { Logger } from 'pino';
import type { Platform } from '../../platform/platform.ts';
import type { ApiKeysConfig } from './config.ts';
import { catalogueOf, type ScopeCatalogue } from './scopes.ts';
import type { ApiKeysDb } from './tables.ts';

/** What the api-keys use cases receive. */
export interface ApiKeysContext {
  db: ApiKeysDb;
  config: ApiKeysConfig;
  scopes: ScopeCatalogue;
  /** When each key's last-used time was last written by this process (ms). */
  touched: Map<string, number>;
  log: Pick<Logger, 'warn'>;
  now: () => Date;
}

const contexts = new WeakMap<Platform, ApiKeysContext>();

/** One per platform: the global hook and the admin routes share the catalogue and the touch memo. */
export function apiKeysContext(platform: Platform, log: Pick<Logger, 'warn'>): ApiKeysContext {
  let ctx = contexts.get(platform);
  if (!ctx) {
    ctx = {
      db: platform.database.db as ApiKeysDb,
      config: platform.config.apiKeys,
      scopes: catalogueOf(platform),
      touched: new Map(),
      log,
      now: () => new Date(),
    };
    contexts.set(platform, ctx);
  }
  return ctx;
}
