import { ChannelError, type FailureKind, kindOfStatus, parseRetryAfter, toChannelError } from './errors.ts';
import { type ServiceAccount, ServiceAccountTokens } from './google-service-account.ts';
import { Http2Client, jsonObject } from './http2-client.ts';
import type { MobilePushSender } from './mobile-push.ts';

export interface FcmOptions {
  account: ServiceAccount;
  /** `https://fcm.googleapis.com`; tests point it at a local server. */
  apiUrl: string;
  /** Trusted CA for a test server's self-signed certificate. */
  ca?: string;
  timeoutMs?: number;
}

const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';

/** FCM error codes that mean this token will never work again. */
const DEAD_TOKEN_CODES = new Set(['UNREGISTERED', 'SENDER_ID_MISMATCH']);

/**
 * Firebase Cloud Messaging, HTTP v1 API (`projects/{id}/messages:send`)
 * with service-account OAuth. firebase-admin would add a large dependency
 * tree for this one POST and could not be pointed at a test server.
 */
export function createFcmSender(options: FcmOptions): MobilePushSender {
  const http = new Http2Client({
    ...(options.ca ? { ca: options.ca } : {}),
    timeoutMs: options.timeoutMs ?? 10_000,
  });
  const tokens = new ServiceAccountTokens(options.account, SCOPE, http);
  const url = `${options.apiUrl.replace(/\/$/, '')}/v1/projects/${encodeURIComponent(options.account.project_id)}/messages:send`;

  const post = async (body: string) =>
    http.request(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await tokens.token()}`,
        'content-type': 'application/json; charset=utf-8',
      },
      body,
    });

  return {
    kind: 'fcm',
    async send(device, message) {
      const body = JSON.stringify({
        message: {
          token: device.token,
          notification: { title: message.title, body: message.body },
          ...(message.data ? { data: message.data } : {}),
          android: {
            priority: message.priority === 'high' ? 'HIGH' : 'NORMAL',
            ...(message.collapseKey ? { collapse_key: message.collapseKey } : {}),
            ...(message.ttlSeconds !== undefined ? { ttl: `${message.ttlSeconds}s` } : {}),
          },
        },
      });
      try {
        let response = await post(body);
        if (response.status === 401) {
          // The cached access token was revoked or expired early: one fresh try.
          tokens.invalidate();
          response = await post(body);
        }
        const parsed = jsonObject(response.body);
        if (response.status === 200) {
          return { providerMessageId: typeof parsed.name === 'string' ? parsed.name : null };
        }
        throw fcmFailure(response.status, parsed, response.headers['retry-after']);
      } catch (error) {
        throw toChannelError(error, 'FCM unreachable');
      }
    },
    close: () => http.close(),
  };
}

function fcmFailure(
  status: number,
  body: Record<string, unknown>,
  retryAfter: string | string[] | undefined,
) {
  const error = (body.error ?? {}) as {
    status?: string;
    message?: string;
    details?: Array<Record<string, unknown>>;
  };
  const fcmCode = error.details?.find((d) => typeof d.errorCode === 'string')?.errorCode as
    | string
    | undefined;
  const code = fcmCode ?? error.status;
  let kind: FailureKind = kindOfStatus(status);
  if ((code && DEAD_TOKEN_CODES.has(code)) || status === 404) kind = 'invalid-target';
  return new ChannelError(kind, `FCM answered ${status} ${code ?? ''}: ${error.message ?? ''}`.trim(), {
    status,
    ...(code ? { providerCode: code } : {}),
    retryAfterMs: parseRetryAfter(retryAfter),
  });
}
