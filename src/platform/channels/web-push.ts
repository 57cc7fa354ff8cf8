import type https from 'node:https';
import webpush from 'web-push';
import { persistedSecret } from '../security/dev-secrets.ts';
import { ChannelError, kindOfStatus, parseRetryAfter, type SendResult, toChannelError } from './errors.ts';

/** What the browser's `PushSubscription.toJSON()` gives. */
export interface PushSubscriptionTarget {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export type PushUrgency = 'very-low' | 'low' | 'normal' | 'high';

export interface WebPushMessage {
  /** Encrypted for the subscription (RFC 8291); the service worker receives it as JSON. */
  payload: unknown;
  /** How long the push service keeps it for an offline browser. */
  ttlSeconds: number;
  urgency: PushUrgency;
  /** A newer message with the same topic replaces an undelivered older one. */
  topic?: string;
}

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

export interface WebPushTransport {
  readonly vapidPublicKey: string;
  send(subscription: PushSubscriptionTarget, message: WebPushMessage): Promise<SendResult>;
}

export interface WebPushOptions {
  keys: VapidKeys;
  /** `mailto:` or `https:` contact the push service may use (RFC 8292 `sub`). */
  subject: string;
  timeoutMs?: number;
  /** Only for tests that run a push service with a self-signed certificate. */
  agent?: https.Agent;
}

/**
 * Configured VAPID keys, or a pair generated once and kept under
 * data/secrets: browsers bind a subscription to the public key, so a key
 * that changed on restart would silently orphan every subscription.
 */
export async function resolveVapidKeys(configured: Partial<VapidKeys>, dataDir: string): Promise<VapidKeys> {
  if (configured.publicKey && configured.privateKey) {
    return { publicKey: configured.publicKey, privateKey: configured.privateKey };
  }
  const stored = await persistedSecret(dataDir, 'vapid-keys', () =>
    JSON.stringify(webpush.generateVAPIDKeys()),
  );
  return JSON.parse(stored) as VapidKeys;
}

/** Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payloads (RFC 8291), by the `web-push` package. */
export function createWebPushTransport(options: WebPushOptions): WebPushTransport {
  const vapidDetails = { subject: options.subject, ...options.keys };
  // Fails fast on a malformed key or subject instead of on the first notification.
  webpush.getVapidHeaders(
    'https://push.example',
    options.subject,
    options.keys.publicKey,
    options.keys.privateKey,
    'aes128gcm',
  );
  return {
    vapidPublicKey: options.keys.publicKey,
    async send(subscription, message) {
      let result: webpush.SendResult;
      try {
        result = await webpush.sendNotification(subscription, JSON.stringify(message.payload), {
          vapidDetails,
          contentEncoding: 'aes128gcm',
          TTL: message.ttlSeconds,
          urgency: message.urgency,
          ...(message.topic ? { topic: message.topic } : {}),
          timeout: options.timeoutMs ?? 10_000,
          ...(options.agent ? { agent: options.agent } : {}),
        });
      } catch (error) {
        throw webPushFailure(error);
      }
      const location = result.headers.location;
      return { providerMessageId: typeof location === 'string' ? location : null };
    },
  };
}

function webPushFailure(error: unknown): ChannelError {
  if (error instanceof webpush.WebPushError) {
    const status = error.statusCode;
    // 404/410: the subscription expired or the user revoked permission (RFC 8030 §7.3).
    const kind = status === 404 || status === 410 ? 'invalid-target' : kindOfStatus(status);
    return new ChannelError(kind, `push service answered ${status}: ${error.body || error.message}`, {
      status,
      retryAfterMs: parseRetryAfter(error.headers['retry-after']),
      cause: error,
    });
  }
  // web-push throws before sending when the subscription's keys cannot be used.
  if (error instanceof Error && /subscription|p256dh|auth/i.test(error.message) && !('code' in error)) {
    return new ChannelError('invalid-target', `unusable push subscription: ${error.message}`, {
      cause: error,
    });
  }
  return toChannelError(error, 'push service unreachable');
}
