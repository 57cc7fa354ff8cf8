import { type Kysely, sql } from 'kysely';

/**
 * `inbox`: whether the item shows in the person's inbox. False when they
 * switched the in-app channel of its category off: the row still exists, since
 * its other channels' deliveries hang off it, but the inbox, the unread count
 * and the live connection never show it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table notifications_items add column inbox boolean not null default true`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table notifications_items drop column inbox`.execute(db);
}
