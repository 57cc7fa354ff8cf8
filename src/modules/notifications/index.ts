import type { Kysely } from 'kysely';
import pino from 'pino';
import { type ChannelsOptions, createChannels } from '../../platform/channels/index.ts';
import { cachedRouteReader } from '../../platform/gateway/response-cache/reader.ts';
import type { AppModule } from '../../platform/module.ts';
import { loggerOptions, prettyLogs } from '../../platform/observability/logger.ts';
import type { Platform } from '../../platform/platform.ts';
import type { MailSender, NotificationsContext, RetryPolicy } from './context.ts';
import { NOTIFICATIONS_EVENTS } from './events.ts';
import { NOTIFICATIONS_JOBS } from './jobs.ts';
import { NOTIFICATIONS_LIVE, replayNotifications } from './live.ts';
import { createMailSender } from './mailer.ts';
import { createNotificationMetrics } from './metrics.ts';
import { migrations } from './migrations/index.ts';
import { notificationsPersonalData } from './personal-data.ts';
import type { ExternalContact, ExternalProfile } from './recipient.ts';
import { notificationRoutes } from './routes.ts';
import { createNotificationsService } from './service.ts';
import type { NotificationsDb } from './tables.ts';
import { jobsQueue, startNotificationsWorker } from './worker.ts';

export type { PreferenceMatrix } from './preferences.ts';
export type { NotificationsService } from './service.ts';
export { CATEGORIES, type Category, CHANNELS, type Channel } from './tables.ts';

export interface NotificationsOptions {
  /** Time zone, locale and quiet hours by user id (the users module's `notificationProfiles`). */
  profiles?: (platform: Platform, userIds: string[]) => Promise<Map<string, ExternalProfile>>;
  /** Sign-in emails by user id (from the auth module). */
  contacts?: (platform: Platform, userIds: string[]) => Promise<Map<string, ExternalContact>>;
  mail?: MailSender;
  /** Tests: trust local providers' certificates. */
  channels?: ChannelsOptions;
  retry?: Partial<RetryPolicy>;
}

const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 30_000, maxDelayMs: 6 * 3600_000 };

const contexts = new WeakMap<Platform, Promise<NotificationsContext>>();

/** One context per platform (process, or test app): the API and the worker share channels and metrics. */
export function notificationsContext(
  platform: Platform,
  options: NotificationsOptions = {},
): Promise<NotificationsContext> {
  let ctx = contexts.get(platform);
  if (!ctx) {
    ctx = createNotificationsContext(platform, options);
    contexts.set(platform, ctx);
  }
  return ctx;
}

/** A fresh context; tests use it to point channels at local providers. */
export async function createNotificationsContext(
  platform: Platform,
  options: NotificationsOptions = {},
): Promise<NotificationsContext> {
  const { config } = platform;
  // Mail links and Twilio's callback need an absolute URL even when PUBLIC_URL is unset (development).
  const publicUrl = config.publicUrl ?? `http://localhost:${config.port}`;
  const channels = await createChannels(config, {
    smsStatusCallbackUrl: `${publicUrl}/v1/notifications/webhooks/twilio`,
    ...options.channels,
  });
  platform.onClose(() => channels.close());
  const mail = options.mail ?? createMailSender(platform);
  return {
    db: platform.database.db as Kysely<NotificationsDb>,
    reader: cachedRouteReader(platform) as Kysely<NotificationsDb>,
    responseCache: platform.responseCache,
    channels,
    mail,
    queue: jobsQueue,
    profiles: options.profiles ? (userIds) => options.profiles!(platform, userIds) : async () => new Map(),
    contacts: options.contacts ? (userIds) => options.contacts!(platform, userIds) : async () => new Map(),
    encryption: platform.encryption,
    metrics: createNotificationMetrics(platform.metrics),
    links: { appUrl: config.appUrl, publicUrl },
    retry: { ...DEFAULT_RETRY, ...options.retry },
    twilioAuthToken: config.channels.twilio?.authToken,
    log: pino(loggerOptions(config.logLevel, prettyLogs(config))).child({ module: 'notifications' }),
    now: () => new Date(),
  };
}

/** The module: inbox and target routes in the API, event intake and deliveries in the worker. */
export function notificationsModule(options: NotificationsOptions = {}): AppModule {
  return {
    name: 'notifications',
    tablePrefix: 'notifications_',
    migrations,
    events: NOTIFICATIONS_EVENTS,
    jobs: NOTIFICATIONS_JOBS,
    live: {
      types: NOTIFICATIONS_LIVE,
      replay: replayNotifications((platform) => platform.database.db as Kysely<NotificationsDb>),
    },
    personalData: notificationsPersonalData,
    async routes(app, { platform }) {
      const ctx = await notificationsContext(platform, options);
      await app.register(notificationRoutes, {
        service: createNotificationsService(ctx),
        publicUrl: ctx.links.publicUrl,
      });
    },
    async worker(platform) {
      return startNotificationsWorker(platform, await notificationsContext(platform, options));
    },
  };
}
