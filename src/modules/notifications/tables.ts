import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

export const CATEGORIES = [
  'love-notes',
  'reminders',
  'coach',
  'couple',
  'billing',
  'security',
  'marketing',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** `in_app` is the inbox row itself; the others go out through a transport. */
export const CHANNELS = ['in_app', 'web_push', 'mobile_push', 'email', 'sms'] as const;
export type Channel = (typeof CHANNELS)[number];
export type OutboundChannel = Exclude<Channel, 'in_app'>;

/** `urgent` ignores quiet hours; `low` waits for the hourly digest. */
export type Priority = 'urgent' | 'normal' | 'low';

export type DeliveryStatus = 'pending' | 'sent' | 'delivered' | 'failed' | 'suppressed';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json = ColumnType<Record<string, unknown>, string | undefined, string>;

export interface NotificationsTable {
  user_id: string;
  id: string;
  event_id: string;
  kind: string;
  category: Category;
  priority: Priority;
  title: string;
  body: string;
  data: Json;
  created_at: Timestamp;
  read_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** False when the person switched this category's in-app channel off: kept for its deliveries, never shown. */
  inbox: Generated<boolean>;
}

export interface DeliveriesTable {
  user_id: string;
  id: string;
  notification_id: string;
  channel: Channel;
  status: DeliveryStatus;
  reason: string | null;
  digest: Generated<boolean>;
  attempts: Generated<number>;
  next_attempt_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  provider_message_id: string | null;
  last_error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  sent_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  delivered_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface PushSubscriptionsTable {
  user_id: string;
  id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  user_agent: string | null;
  created_at: Timestamp;
}

export interface DevicesTable {
  user_id: string;
  id: string;
  platform: 'ios' | 'android';
  token: string;
  created_at: Timestamp;
}

export interface RecipientsTable {
  user_id: string;
  email: string | null;
  phone: string | null;
  display_name: string | null;
  locale: Generated<string>;
  time_zone: Generated<string>;
  quiet_start: number | null;
  quiet_end: number | null;
  preferences: ColumnType<PreferenceOverrides, string | undefined, string>;
  updated_at: Timestamp;
}

export type PreferenceOverrides = Partial<Record<Category, Partial<Record<Channel, boolean>>>>;

export interface NotificationsDb {
  notifications_items: NotificationsTable;
  notifications_deliveries: DeliveriesTable;
  notifications_push_subscriptions: PushSubscriptionsTable;
  notifications_devices: DevicesTable;
  notifications_recipients: RecipientsTable;
}

export type NotificationRow = Selectable<NotificationsTable>;
export type DeliveryRow = Selectable<DeliveriesTable>;
export type NewDelivery = Insertable<DeliveriesTable>;
export type PushSubscriptionRow = Selectable<PushSubscriptionsTable>;
export type DeviceRow = Selectable<DevicesTable>;
export type RecipientRow = Selectable<RecipientsTable>;
