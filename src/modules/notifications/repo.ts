import { type Kysely, sql, type Transaction } from 'kysely';
import { unnestRows } from '../../platform/db/unnest.ts';
import { idFloor, newId } from '../../platform/ids.ts';
import type {
  Channel,
  DeliveryRow,
  DeliveryStatus,
  DeviceRow,
  NewDelivery,
  NotificationRow,
  NotificationsDb,
  PreferenceOverrides,
  PushSubscriptionRow,
  RecipientRow,
} from './tables.ts';

export type Db = Kysely<NotificationsDb> | Transaction<NotificationsDb>;

/** Every user-scoped query takes its scope first, so an unscoped query does not type-check. */
export interface UserScope {
  userId: string;
}

// ---- notifications -------------------------------------------------------

export type NewNotification = Omit<NotificationRow, 'created_at' | 'read_at' | 'data' | 'inbox'> & {
  data: Record<string, string>;
  inbox?: boolean;
};

/**
 * Inserts those this event has not already notified this user of; returns only the inserted rows.
 * One fixed statement (unnest) whatever the batch size, as `insertDeliveries`.
 */
export async function insertNotifications(db: Db, rows: NewNotification[]): Promise<NotificationRow[]> {
  if (rows.length === 0) return [];
  const batch = unnestRows(rows, {
    user_id: ['uuid', (r) => r.user_id],
    id: ['uuid', (r) => r.id],
    event_id: ['uuid', (r) => r.event_id],
    kind: ['text', (r) => r.kind],
    category: ['text', (r) => r.category],
    priority: ['text', (r) => r.priority],
    title: ['text', (r) => r.title],
    body: ['text', (r) => r.body],
    data: ['jsonb', (r) => JSON.stringify(r.data)],
    inbox: ['boolean', (r) => r.inbox ?? true],
  });
  const { rows: inserted } = await sql<NotificationRow>`
    insert into notifications_items (${batch.columns}) select * from ${batch.from}
    on conflict (user_id, event_id) do nothing
    returning *`.execute(db);
  return inserted;
}

export async function listNotifications(
  db: Db,
  scope: UserScope,
  query: { unread: boolean; limit: number; before?: string },
): Promise<NotificationRow[]> {
  let q = db
    .selectFrom('notifications_items')
    .selectAll()
    .where('user_id', '=', scope.userId)
    .where('inbox', '=', true);
  if (query.unread) q = q.where('read_at', 'is', null);
  if (query.before) q = q.where('id', '<', query.before);
  return q
    .orderBy('id', 'desc')
    .limit(query.limit + 1)
    .execute();
}

/** Inbox items made at or after `since`, oldest first (ids are UUIDv7, so the id range is the time range). */
export async function listInboxSince(
  db: Db,
  scope: UserScope,
  since: Date,
  limit: number,
): Promise<NotificationRow[]> {
  return db
    .selectFrom('notifications_items')
    .selectAll()
    .where('user_id', '=', scope.userId)
    .where('inbox', '=', true)
    .where('id', '>=', idFloor(since))
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function findNotification(db: Db, scope: UserScope, id: string) {
  return db
    .selectFrom('notifications_items')
    .selectAll()
    .where('user_id', '=', scope.userId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Serialises decisions about one notification's channels (the email fallback). */
export async function lockNotification(trx: Transaction<NotificationsDb>, scope: UserScope, id: string) {
  await trx
    .selectFrom('notifications_items')
    .select('id')
    .where('user_id', '=', scope.userId)
    .where('id', '=', id)
    .forUpdate()
    .execute();
}

export async function countUnread(db: Db, scope: UserScope): Promise<number> {
  const row = await db
    .selectFrom('notifications_items')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('user_id', '=', scope.userId)
    .where('inbox', '=', true)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Read stays read: a second call keeps the first time. */
export async function markRead(db: Db, scope: UserScope, id: string) {
  return db
    .updateTable('notifications_items')
    .set({ read_at: sql`coalesce(read_at, now())` })
    .where('user_id', '=', scope.userId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function markAllRead(db: Db, scope: UserScope): Promise<number> {
  const result = await db
    .updateTable('notifications_items')
    .set({ read_at: sql`now()` })
    .where('user_id', '=', scope.userId)
    .where('read_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function deleteNotification(db: Db, scope: UserScope, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('notifications_items')
    .where('user_id', '=', scope.userId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

// ---- deliveries ----------------------------------------------------------

/**
 * One statement whatever the number of rows, and always the same text: a
 * VALUES list was a new statement for PostgreSQL to parse and plan at each
 * batch size (5 rows a notification), and a query for Kysely to compile each
 * call. Columns a row leaves out get their defaults (digest false, the rest null).
 */
export async function insertDeliveries(
  db: Db,
  rows: Array<
    Pick<
      NewDelivery,
      | 'user_id'
      | 'id'
      | 'notification_id'
      | 'channel'
      | 'status'
      | 'reason'
      | 'digest'
      | 'next_attempt_at'
      | 'sent_at'
      | 'delivered_at'
    >
  >,
): Promise<void> {
  if (rows.length === 0) return;
  const time = (value: Date | string | null | undefined) =>
    value instanceof Date ? value.toISOString() : (value ?? null);
  const batch = unnestRows(rows, {
    user_id: ['uuid', (r) => r.user_id],
    id: ['uuid', (r) => r.id],
    notification_id: ['uuid', (r) => r.notification_id],
    channel: ['text', (r) => r.channel],
    status: ['text', (r) => r.status],
    reason: ['text', (r) => r.reason ?? null],
    digest: ['boolean', (r) => r.digest ?? false],
    next_attempt_at: ['timestamptz', (r) => time(r.next_attempt_at)],
    sent_at: ['timestamptz', (r) => time(r.sent_at)],
    delivered_at: ['timestamptz', (r) => time(r.delivered_at)],
  });
  await sql`insert into notifications_deliveries (${batch.columns}) select * from ${batch.from}`.execute(db);
}

export async function listDeliveries(
  db: Db,
  scope: UserScope,
  notificationId: string,
): Promise<DeliveryRow[]> {
  return db
    .selectFrom('notifications_deliveries')
    .selectAll()
    .where('user_id', '=', scope.userId)
    .where('notification_id', '=', notificationId)
    .orderBy('channel')
    .execute();
}

/**
 * Locks deliveries for their attempt (in id order, so two batches never wait
 * on each other in a circle), so two workers never send one twice; with the
 * notification's kind, texts and data. One statement for any number.
 */
export async function lockDeliveries(
  trx: Transaction<NotificationsDb>,
  keys: Array<UserScope & { id: string }>,
) {
  return trx
    .selectFrom('notifications_deliveries as d')
    .innerJoin('notifications_items as n', (join) =>
      join.onRef('n.user_id', '=', 'd.user_id').onRef('n.id', '=', 'd.notification_id'),
    )
    .selectAll('d')
    .select([
      'n.kind',
      'n.category',
      'n.priority',
      'n.title',
      'n.body',
      'n.data',
      'n.created_at as notified_at',
    ])
    .where(
      sql<boolean>`(d.user_id, d.id) in (select * from unnest(${keys.map((k) => k.userId)}::uuid[], ${keys.map((k) => k.id)}::uuid[]))`,
    )
    .orderBy('d.id')
    .forUpdate('d')
    .execute();
}

export type LockedDelivery = Awaited<ReturnType<typeof lockDeliveries>>[number];

/** A delivery row's columns after an attempt, every one written (unchanged ones as they were). */
export interface DeliveryUpdate {
  user_id: string;
  id: string;
  status: DeliveryStatus;
  reason: string | null;
  attempts: number;
  next_attempt_at: Date | null;
  provider_message_id: string | null;
  last_error: string | null;
  sent_at: Date | null;
}

/** Writes the outcome of many attempts in one statement. */
export async function updateDeliveries(db: Db, rows: DeliveryUpdate[]): Promise<void> {
  if (rows.length === 0) return;
  const column = <K extends keyof DeliveryUpdate>(key: K) => rows.map((row) => row[key]);
  await sql`
    update notifications_deliveries d
    set status = u.status, reason = u.reason, attempts = u.attempts, next_attempt_at = u.next_attempt_at,
      provider_message_id = u.provider_message_id, last_error = u.last_error, sent_at = u.sent_at, updated_at = now()
    from unnest(
      ${column('user_id')}::uuid[], ${column('id')}::uuid[], ${column('status')}::text[], ${column('reason')}::text[],
      ${column('attempts')}::int[], ${column('next_attempt_at')}::timestamptz[], ${column('provider_message_id')}::text[],
      ${column('last_error')}::text[], ${column('sent_at')}::timestamptz[]
    ) as u(user_id, id, status, reason, attempts, next_attempt_at, provider_message_id, last_error, sent_at)
    where d.user_id = u.user_id and d.id = u.id`.execute(db);
}

export async function findDelivery(db: Db, scope: UserScope, notificationId: string, channel: Channel) {
  return db
    .selectFrom('notifications_deliveries')
    .selectAll()
    .where('user_id', '=', scope.userId)
    .where('notification_id', '=', notificationId)
    .where('channel', '=', channel)
    .executeTakeFirst();
}

/**
 * A provider's status callback names only its message id. The one lookup
 * that crosses users, by an indexed column; states only move forward.
 */
export async function markDeliveredByProviderId(
  db: Db,
  providerMessageId: string,
  outcome: { status: 'delivered' | 'failed'; error?: string },
) {
  return db
    .updateTable('notifications_deliveries')
    .set({
      status: outcome.status,
      updated_at: sql`now()`,
      ...(outcome.status === 'delivered'
        ? { delivered_at: sql`now()` }
        : { last_error: outcome.error ?? null }),
    })
    .where('provider_message_id', '=', providerMessageId)
    .where(
      'status',
      'in',
      outcome.status === 'delivered' ? ['pending', 'sent', 'failed'] : ['pending', 'sent'],
    )
    .returning(['user_id', 'id', 'notification_id', 'channel', 'status', 'reason'])
    .execute();
}

// The failed list, the replay and the digest read through partial indexes
// (`status = 'failed'`, `digest and status = 'pending'`): their fixed conditions
// are literals, not parameters, because the generic plan of a prepared statement
// (database.ts `preparingPool`) can use a partial index only when the query
// states its predicate in literals; with parameters these read every delivery.
// The builders are exported for test/modules/generic-plans.test.ts, which
// checks their generic plans.

/** Admin view across users: newest deliveries first (UUIDv7 ids sort by creation), keyset on id. */
export async function listFailures(db: Db, query: { limit: number; before?: string }) {
  return failuresQuery(db, query).execute();
}

export function failuresQuery(db: Db, query: { limit: number; before?: string }) {
  let q = db
    .selectFrom('notifications_deliveries as d')
    .innerJoin('notifications_items as n', (join) =>
      join.onRef('n.user_id', '=', 'd.user_id').onRef('n.id', '=', 'd.notification_id'),
    )
    .selectAll('d')
    .select(['n.kind', 'n.category'])
    .where('d.status', '=', sql.lit('failed'));
  if (query.before) q = q.where('d.id', '<', query.before);
  return q.orderBy('d.id', 'desc').limit(query.limit + 1);
}

/**
 * Puts a failed delivery back in line with a fresh retry budget (an admin's
 * replay after the provider recovered). Crosses users like listFailures: the
 * admin knows the delivery by id only. Undefined when it is not failed.
 */
export async function reopenFailure(db: Db, id: string) {
  return reopenFailureQuery(db, id).executeTakeFirst();
}

/** By id alone: only the failed deliveries' index is keyed by it. */
export function reopenFailureQuery(db: Db, id: string) {
  return db
    .updateTable('notifications_deliveries')
    .set({
      status: 'pending',
      reason: null,
      attempts: 0,
      next_attempt_at: sql`now()`,
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .where('status', '=', sql.lit('failed'))
    .returningAll();
}

/** Users with items waiting for the digest on a channel. */
export async function usersWithDigest(
  db: Db,
  limit: number,
): Promise<{ user_id: string; channel: Channel }[]> {
  return usersWithDigestQuery(db, limit).execute();
}

export function usersWithDigestQuery(db: Db, limit: number) {
  return db
    .selectFrom('notifications_deliveries')
    .select(['user_id', 'channel'])
    .distinct()
    .where('digest', '=', sql.lit(true))
    .where('status', '=', sql.lit('pending'))
    .limit(limit);
}

export async function lockDigestItems(trx: Transaction<NotificationsDb>, scope: UserScope, channel: Channel) {
  return digestItemsQuery(trx, scope, channel).execute();
}

export function digestItemsQuery(db: Db, scope: UserScope, channel: Channel) {
  return db
    .selectFrom('notifications_deliveries as d')
    .innerJoin('notifications_items as n', (join) =>
      join.onRef('n.user_id', '=', 'd.user_id').onRef('n.id', '=', 'd.notification_id'),
    )
    .select(['d.id', 'd.notification_id', 'n.title', 'n.category', 'n.created_at'])
    .where('d.user_id', '=', scope.userId)
    .where('d.channel', '=', channel)
    .where('d.digest', '=', sql.lit(true))
    .where('d.status', '=', sql.lit('pending'))
    .orderBy('n.created_at')
    .forUpdate('d')
    .skipLocked();
}

export async function settleDigestItems(
  db: Db,
  scope: UserScope,
  ids: string[],
  change: { status: DeliveryStatus; providerMessageId?: string | null; error?: string; reason?: string },
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('notifications_deliveries')
    .set({
      status: change.status,
      updated_at: sql`now()`,
      attempts: sql`attempts + 1`,
      provider_message_id: change.providerMessageId ?? null,
      last_error: change.error ?? null,
      reason: change.reason ?? null,
      ...(change.status === 'sent' ? { sent_at: sql`now()` } : {}),
    })
    .where('user_id', '=', scope.userId)
    .where('id', 'in', ids)
    .execute();
}

// ---- targets -------------------------------------------------------------

export async function upsertPushSubscription(
  db: Db,
  scope: UserScope,
  input: { endpoint: string; p256dh: string; auth: string; userAgent: string | null },
): Promise<PushSubscriptionRow> {
  return db
    .insertInto('notifications_push_subscriptions')
    .values({
      user_id: scope.userId,
      id: newId(),
      endpoint: input.endpoint,
      p256dh: input.p256dh,
      auth: input.auth,
      user_agent: input.userAgent,
    })
    .onConflict((oc) =>
      oc
        .columns(['user_id', 'endpoint'])
        .doUpdateSet({ p256dh: input.p256dh, auth: input.auth, user_agent: input.userAgent }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listPushSubscriptions(db: Db, scope: UserScope): Promise<PushSubscriptionRow[]> {
  return db
    .selectFrom('notifications_push_subscriptions')
    .selectAll()
    .where('user_id', '=', scope.userId)
    .orderBy('id')
    .execute();
}

export async function deletePushSubscription(db: Db, scope: UserScope, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('notifications_push_subscriptions')
    .where('user_id', '=', scope.userId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** A token belongs to whoever registered it last: a shared phone moves it between accounts. */
export async function upsertDevice(
  db: Db,
  scope: UserScope,
  input: { platform: 'ios' | 'android'; token: string },
): Promise<DeviceRow> {
  await db
    .deleteFrom('notifications_devices')
    .where('platform', '=', input.platform)
    .where('token', '=', input.token)
    .where('user_id', '<>', scope.userId)
    .execute();
  return (
    db
      .insertInto('notifications_devices')
      // Named columns, not a spread: a field the body should not have must never become a column.
      .values({ user_id: scope.userId, id: newId(), platform: input.platform, token: input.token })
      .onConflict((oc) => oc.columns(['user_id', 'platform', 'token']).doUpdateSet({ token: input.token }))
      .returningAll()
      .executeTakeFirstOrThrow()
  );
}

/** How many web push subscriptions and mobile devices a person has, in one statement. */
/** Web push subscriptions and phones per person, for any number of people in one statement. */
export async function countTargets(
  db: Db,
  userIds: string[],
): Promise<Map<string, { web_push: number; mobile_push: number }>> {
  const ids = [...new Set(userIds)];
  if (ids.length === 0) return new Map();
  const { rows } = await sql<{ user_id: string; web_push: number; mobile_push: number }>`
    select u.id as user_id,
      (select count(*) from notifications_push_subscriptions p where p.user_id = u.id)::int as web_push,
      (select count(*) from notifications_devices d where d.user_id = u.id)::int as mobile_push
    from unnest(${ids}::uuid[]) as u(id)`.execute(db);
  return new Map(rows.map(({ user_id, ...counts }) => [user_id, counts]));
}

export async function listDevices(db: Db, scope: UserScope): Promise<DeviceRow[]> {
  return db
    .selectFrom('notifications_devices')
    .selectAll()
    .where('user_id', '=', scope.userId)
    .orderBy('id')
    .execute();
}

export async function deleteDevice(
  db: Db,
  scope: UserScope,
  target: { platform: 'ios' | 'android'; token: string } | { id: string },
): Promise<boolean> {
  let q = db.deleteFrom('notifications_devices').where('user_id', '=', scope.userId);
  q =
    'id' in target
      ? q.where('id', '=', target.id)
      : q.where('platform', '=', target.platform).where('token', '=', target.token);
  const result = await q.executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

// ---- recipients ----------------------------------------------------------

export async function findRecipient(db: Db, scope: UserScope): Promise<RecipientRow | undefined> {
  return db
    .selectFrom('notifications_recipients')
    .selectAll()
    .where('user_id', '=', scope.userId)
    .executeTakeFirst();
}

/** The own records of several people, one statement. */
export async function findRecipients(db: Db, userIds: string[]): Promise<RecipientRow[]> {
  if (userIds.length === 0) return [];
  return db
    .selectFrom('notifications_recipients')
    .selectAll()
    .where('user_id', '=', sql<string>`any(${userIds}::uuid[])`)
    .execute();
}

export interface RecipientInput {
  email?: string | null;
  phone?: string | null;
  displayName?: string | null;
  locale?: string;
  timeZone?: string;
  quietStart?: number | null;
  quietEnd?: number | null;
  preferences?: Record<string, unknown>;
}

export async function upsertRecipient(db: Db, scope: UserScope, input: RecipientInput): Promise<void> {
  const values = {
    ...(input.email !== undefined ? { email: input.email } : {}),
    ...(input.phone !== undefined ? { phone: input.phone } : {}),
    ...(input.displayName !== undefined ? { display_name: input.displayName } : {}),
    ...(input.locale !== undefined ? { locale: input.locale } : {}),
    ...(input.timeZone !== undefined ? { time_zone: input.timeZone } : {}),
    ...(input.quietStart !== undefined ? { quiet_start: input.quietStart } : {}),
    ...(input.quietEnd !== undefined ? { quiet_end: input.quietEnd } : {}),
    ...(input.preferences !== undefined ? { preferences: JSON.stringify(input.preferences) } : {}),
  };
  await db
    .insertInto('notifications_recipients')
    .values({ user_id: scope.userId, ...values })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ ...values, updated_at: sql`now()` }))
    .execute();
}

/**
 * Changes a person's stored preference overrides under a row lock, so two
 * concurrent changes both land; returns the overrides now stored.
 */
export async function updatePreferenceOverrides(
  trx: Transaction<NotificationsDb>,
  scope: UserScope,
  change: (stored: PreferenceOverrides) => PreferenceOverrides,
): Promise<PreferenceOverrides> {
  await trx
    .insertInto('notifications_recipients')
    .values({ user_id: scope.userId })
    .onConflict((oc) => oc.column('user_id').doNothing())
    .execute();
  const row = await trx
    .selectFrom('notifications_recipients')
    .select('preferences')
    .where('user_id', '=', scope.userId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const next = change(row.preferences ?? {});
  await trx
    .updateTable('notifications_recipients')
    .set({ preferences: JSON.stringify(next), updated_at: sql`now()` })
    .where('user_id', '=', scope.userId)
    .execute();
  return next;
}

/** Forgets a person: their inbox, delivery records, push targets and contact details. */
export async function eraseUser(db: Db, scope: UserScope): Promise<void> {
  // Deliveries go with their notifications (on delete cascade).
  await db.deleteFrom('notifications_items').where('user_id', '=', scope.userId).execute();
  await db.deleteFrom('notifications_push_subscriptions').where('user_id', '=', scope.userId).execute();
  await db.deleteFrom('notifications_devices').where('user_id', '=', scope.userId).execute();
  await db.deleteFrom('notifications_recipients').where('user_id', '=', scope.userId).execute();
}
