import { randomUUID } from 'node:crypto';
import { importPKCS8, SignJWT } from 'jose';
import { ChannelError, type FailureKind, kindOfStatus, parseRetryAfter, toChannelError } from './errors.ts';
import { Http2Client, jsonObject } from './http2-client.ts';
import type { MobilePushSender } from './mobile-push.ts';

export interface ApnsOptions {
  /** The .p8 signing key (PKCS#8 PEM) from the Apple developer account. */
  key: string;
  keyId: string;
  teamId: string;
  /** The app's bundle id. */
  topic: string;
  /** `https://api.push.apple.com` or `https://api.sandbox.push.apple.com`; tests use a local server. */
  url: string;
  ca?: string;
  timeoutMs?: number;
}

/** Reasons that mean the token will never work for this app again. */
const DEAD_TOKEN_REASONS = new Set(['BadDeviceToken', 'Unregistered', 'DeviceTokenNotForTopic']);

/** Apple asks for a new provider token at most every 20 minutes and at least every 60. */
const TOKEN_LIFETIME_MS = 40 * 60_000;

/**
 * Apple Push Notification service over HTTP/2 with token-based (.p8, ES256)
 * authentication. One connection is kept open per the APNs guidelines; the
 * provider JWT is reused for 40 minutes.
 */
export function createApnsSender(options: ApnsOptions): MobilePushSender {
  const http = new Http2Client({
    ...(options.ca ? { ca: options.ca } : {}),
    timeoutMs: options.timeoutMs ?? 10_000,
  });
  const keyPromise = importPKCS8(options.key, 'ES256');
  let cached: { jwt: string; issuedAt: number } | undefined;

  const providerToken = async (): Promise<string> => {
    if (cached && Date.now() - cached.issuedAt < TOKEN_LIFETIME_MS) return cached.jwt;
    const jwt = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: options.keyId })
      .setIssuer(options.teamId)
      .setIssuedAt()
      .sign(await keyPromise);
    cached = { jwt, issuedAt: Date.now() };
    return jwt;
  };

  return {
    kind: 'apns',
    async send(device, message) {
      const apnsId = randomUUID();
      const payload = {
        aps: {
          alert: { title: message.title, body: message.body },
          sound: 'default',
          ...(message.collapseKey ? { 'thread-id': message.collapseKey } : {}),
        },
        ...message.data,
      };
      const expiration =
        message.ttlSeconds === undefined ? 0 : Math.floor(Date.now() / 1000) + message.ttlSeconds;
      try {
        const response = await http.request(
          `${options.url.replace(/\/$/, '')}/3/device/${encodeURIComponent(device.token)}`,
          {
            method: 'POST',
            headers: {
              authorization: `bearer ${await providerToken()}`,
              'apns-id': apnsId,
              'apns-topic': options.topic,
              'apns-push-type': 'alert',
              'apns-priority': message.priority === 'high' ? '10' : '5',
              'apns-expiration': String(expiration),
              ...(message.collapseKey ? { 'apns-collapse-id': message.collapseKey.slice(0, 64) } : {}),
              'content-type': 'application/json',
            },
            body: JSON.stringify(payload),
          },
        );
        if (response.status === 200) {
          const id = response.headers['apns-id'];
          return { providerMessageId: typeof id === 'string' ? id : apnsId };
        }
        const reason = jsonObject(response.body).reason;
        if (reason === 'ExpiredProviderToken' || reason === 'InvalidProviderToken') cached = undefined;
        throw apnsFailure(
          response.status,
          typeof reason === 'string' ? reason : undefined,
          response.headers['retry-after'],
        );
      } catch (error) {
        throw toChannelError(error, 'APNs unreachable');
      }
    },
    close: () => http.close(),
  };
}

function apnsFailure(status: number, reason: string | undefined, retryAfter: string | string[] | undefined) {
  let kind: FailureKind = kindOfStatus(status);
  if (status === 410 || (reason && DEAD_TOKEN_REASONS.has(reason))) kind = 'invalid-target';
  // A stale provider token is ours to fix; the next attempt signs a new one.
  if (reason === 'ExpiredProviderToken') kind = 'transient';
  return new ChannelError(kind, `APNs answered ${status} ${reason ?? ''}`.trim(), {
    status,
    ...(reason ? { providerCode: reason } : {}),
    retryAfterMs: parseRetryAfter(retryAfter),
  });
}
