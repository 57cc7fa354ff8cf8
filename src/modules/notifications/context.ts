import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { Channels } from '../../platform/channels/index.ts';
import type { ResponseCache } from '../../platform/gateway/response-cache/index.ts';
import type { FieldEncryption } from '../../platform/security/field-encryption.ts';
import type { MailLinks, OutgoingMail } from './email.ts';
import type { NotificationMetrics } from './metrics.ts';
import type { NotificationsDb } from './tables.ts';

/** Sends a rendered mail (the platform mail transport, with our headers). */
export interface MailSender {
  send(mail: OutgoingMail): Promise<void>;
}

/** Puts one delivery attempt on the job queue, in the caller's transaction. */
export interface DeliveryQueue {
  enqueue(
    trx: Transaction<NotificationsDb>,
    delivery: { userId: string; deliveryId: string },
    runAt: Date,
  ): Promise<void>;
}

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Everything the notification use cases need, built once per process (see index.ts). */
export interface NotificationsContext {
  db: Kysely<NotificationsDb>;
  /**
   * The inbox list's reads (`cachedRouteReader`). The primary while the list is in the response
   * cache: the entry is kept under the tag versions read before the query, so a replica that has
   * not replayed the write that bumped them (an item from the worker, whose recipient
   * read-your-writes does not mark) would be cached as current until the TTL. Uncached, a
   * replica when configured.
   */
  reader: Kysely<NotificationsDb>;
  /** The gateway's response cache, which holds the inbox lists (cache.ts): writes invalidate it. */
  responseCache: Pick<ResponseCache, 'invalidate'>;
  channels: Channels;
  mail: MailSender;
  queue: DeliveryQueue;
  /** Time zone, locale and quiet hours from the users module, by user id (missing: none known). */
  profiles: (userIds: string[]) => Promise<Map<string, ExternalProfile>>;
  /** The sign-in email from the auth module, by user id (missing: none known). */
  contacts: (userIds: string[]) => Promise<Map<string, ExternalContact>>;
  encryption: FieldEncryption;
  metrics: NotificationMetrics;
  links: MailLinks;
  retry: RetryPolicy;
  /** Twilio signs callbacks with this token (webhook verification). */
  twilioAuthToken: string | undefined;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  now: () => Date;
}

/** What the users module says about a person (see `notificationProfiles` there). */
export interface ExternalProfile {
  timeZone: string;
  locale: string;
  quietHours: { enabled: boolean; start: string; end: string };
}

/** What the auth module says about a person (their sign-in email). */
export interface ExternalContact {
  email: string | null;
}
