import { readFile } from 'node:fs/promises';
import type https from 'node:https';
import path from 'node:path';
import type { Config } from '../config.ts';
import { createApnsSender } from './apns.ts';
import { createFcmSender } from './fcm.ts';
import { parseServiceAccount } from './google-service-account.ts';
import { createFilePushSender, createMobilePushTransport, type MobilePushTransport } from './mobile-push.ts';
import { createFileSms, createTwilioSms, type SmsTransport } from './sms.ts';
import { createWebPushTransport, resolveVapidKeys, type WebPushTransport } from './web-push.ts';

export { ChannelError, type FailureKind, type SendResult } from './errors.ts';
export type { DevicePlatform, DeviceTarget, MobilePushMessage, MobilePushTransport } from './mobile-push.ts';
export { toE164 } from './phone.ts';
export { type SmsTransport, verifyTwilioSignature } from './sms.ts';
export type { PushSubscriptionTarget, PushUrgency, WebPushMessage, WebPushTransport } from './web-push.ts';

export interface Channels {
  webPush: WebPushTransport;
  mobilePush: MobilePushTransport;
  sms: SmsTransport;
  close(): Promise<void>;
}

export interface ChannelsOptions {
  /** Twilio posts delivery status here (the notifications webhook's public URL). */
  smsStatusCallbackUrl?: string;
  /** Tests: trust a local provider's self-signed certificate. */
  ca?: string;
  webPushAgent?: https.Agent;
}

/** Inline secret, or the path of a file holding it. */
async function inlineOrFile(value: string, looksInline: (v: string) => boolean): Promise<string> {
  return looksInline(value) ? value : readFile(path.resolve(value), 'utf8');
}

/**
 * Every push and SMS transport from configuration: a provider with
 * credentials is used, one without writes JSON lines under
 * DATA_DIR/outbox/{push,sms} so the whole flow works offline.
 */
export async function createChannels(config: Config, options: ChannelsOptions = {}): Promise<Channels> {
  const c = config.channels;
  const outbox = path.join(config.dataDir, 'outbox');
  const tls = options.ca ? { ca: options.ca } : {};

  const keys = await resolveVapidKeys(
    { publicKey: c.vapidPublicKey, privateKey: c.vapidPrivateKey },
    config.dataDir,
  );
  const webPush = createWebPushTransport({
    keys,
    subject: c.vapidSubject,
    ...(options.webPushAgent ? { agent: options.webPushAgent } : {}),
  });

  const filePush = createFilePushSender(path.join(outbox, 'push'));
  const android = c.fcmServiceAccount
    ? createFcmSender({
        account: parseServiceAccount(
          await inlineOrFile(c.fcmServiceAccount, (v) => v.trimStart().startsWith('{')),
        ),
        apiUrl: c.fcmApiUrl,
        ...tls,
      })
    : filePush;
  const ios = c.apns
    ? createApnsSender({
        ...c.apns,
        key: await inlineOrFile(c.apns.key, (v) => v.includes('-----BEGIN')),
        ...tls,
      })
    : filePush;
  const mobilePush = createMobilePushTransport({ android, ios });

  const sms = c.twilio
    ? createTwilioSms({
        accountSid: c.twilio.accountSid,
        authToken: c.twilio.authToken,
        from: c.twilio.from,
        ...(c.twilio.apiUrl ? { apiUrl: c.twilio.apiUrl } : {}),
        ...(options.smsStatusCallbackUrl ? { statusCallbackUrl: options.smsStatusCallbackUrl } : {}),
      })
    : createFileSms(path.join(outbox, 'sms'));

  return { webPush, mobilePush, sms, close: () => mobilePush.close() };
}
