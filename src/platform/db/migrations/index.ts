import type { Migrations } from '../migrator.ts';
import * as mPlatformBase from './20261125T0900_platform_base.ts';
import * as mPlatformOutbox from './20261125T0901_platform_outbox.ts';
import * as mPlatformIdempotency from './20261125T0902_platform_idempotency.ts';
import * as mPlatformBus from './20261125T0910_platform_bus.ts';
import * as mPlatformOutboxWakeup from './20261125T1200_platform_outbox_wakeup.ts';
import * as mPlatformIdempotencyData from './20261202T0900_platform_idempotency_data.ts';
import * as mPlatformRecurring from './20261202T1600_platform_recurring.ts';
import * as mPlatformOutboxTrace from './20261203T0700_platform_outbox_trace.ts';
import * as mPlatformQueueAutovacuum from './20261203T0700_platform_queue_autovacuum.ts';
import * as mPlatformOutboxWakeupOnce from './20261203T0710_platform_outbox_wakeup_once.ts';

/** The migrations of the platform, in this folder only; names start with a UTC timestamp that orders them globally. */
export const migrations: Migrations = {
  '20261125T0900_platform_base': mPlatformBase,
  '20261125T0901_platform_outbox': mPlatformOutbox,
  '20261125T0902_platform_idempotency': mPlatformIdempotency,
  '20261125T0910_platform_bus': mPlatformBus,
  '20261125T1200_platform_outbox_wakeup': mPlatformOutboxWakeup,
  '20261202T0900_platform_idempotency_data': mPlatformIdempotencyData,
  '20261202T1600_platform_recurring': mPlatformRecurring,
  '20261203T0700_platform_outbox_trace': mPlatformOutboxTrace,
  '20261203T0700_platform_queue_autovacuum': mPlatformQueueAutovacuum,
  '20261203T0710_platform_outbox_wakeup_once': mPlatformOutboxWakeupOnce,
};
