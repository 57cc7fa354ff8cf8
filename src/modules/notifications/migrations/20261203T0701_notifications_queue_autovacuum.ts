import type { Kysely } from 'kysely';
import { resetQueueAutovacuum, setQueueAutovacuum } from '../../../platform/db/queue-tables.ts';

// Delivery rows change status within seconds of their insert (pending → sent → delivered):
// they vacuum like a queue (platform/db/queue-tables.ts).
export async function up(db: Kysely<unknown>): Promise<void> {
  await setQueueAutovacuum(db, 'notifications_deliveries');
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await resetQueueAutovacuum(db, 'notifications_deliveries');
}
