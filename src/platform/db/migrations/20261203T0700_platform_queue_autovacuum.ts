import type { Kysely } from 'kysely';
import { resetQueueAutovacuum, setQueueAutovacuum } from '../queue-tables.ts';

// Queue tables vacuum after a fixed number of dead rows, not 20% of their size (see queue-tables.ts).
// graphile-worker's tables get the same in migrateJobs(); notifications_deliveries in its module.
const TABLES = ['outbox_events', 'bus_deliveries', 'bus_processed', 'platform_recurring_runs'];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of TABLES) await setQueueAutovacuum(db, table);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of TABLES) await resetQueueAutovacuum(db, table);
}
