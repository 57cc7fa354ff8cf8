import type { Config } from '../../platform/config.ts';
import type { Platform } from '../../platform/platform.ts';
import type { PaymentsDb } from './tables.ts';

/** What the payments use cases receive, built once in index.ts. */
export interface PaymentsContext {
  platform: Platform;
  db: PaymentsDb;
  config: Config['payments'];
}

export function paymentsContext(platform: Platform): PaymentsContext {
  return { platform, db: platform.database.db as PaymentsDb, config: platform.config.payments };
}
