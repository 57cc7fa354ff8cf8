import type { SendResult } from './errors.ts';
import { appendToOutbox } from './file-outbox.ts';

export type DevicePlatform = 'ios' | 'android';

export interface DeviceTarget {
  platform: DevicePlatform;
  token: string;
}

export interface MobilePushMessage {
  title: string;
  body: string;
  /** Delivered to the app alongside the alert (string values: FCM's data map only takes strings). */
  data?: Record<string, string>;
  /** `high` wakes the device now; `normal` may be batched for battery. */
  priority: 'high' | 'normal';
  /** A newer message with the same key replaces an undelivered older one. */
  collapseKey?: string;
  ttlSeconds?: number;
}

export interface MobilePushSender {
  readonly kind: 'fcm' | 'apns' | 'file';
  send(device: DeviceTarget, message: MobilePushMessage): Promise<SendResult>;
  close(): Promise<void>;
}

/** Routes each device to its platform's sender: iOS to APNs, Android to FCM. */
export interface MobilePushTransport {
  send(device: DeviceTarget, message: MobilePushMessage): Promise<SendResult>;
  kindFor(platform: DevicePlatform): MobilePushSender['kind'];
  close(): Promise<void>;
}

/** Without provider credentials: one JSON line per push under data/outbox/push. */
export function createFilePushSender(outboxDir: string): MobilePushSender {
  return {
    kind: 'file',
    async send(device, message) {
      const id = await appendToOutbox(outboxDir, { channel: 'push', to: device, message });
      return { providerMessageId: id };
    },
    close: async () => {},
  };
}

export function createMobilePushTransport(
  senders: Record<DevicePlatform, MobilePushSender>,
): MobilePushTransport {
  return {
    send: (device, message) => senders[device.platform].send(device, message),
    kindFor: (platform) => senders[platform].kind,
    async close() {
      await Promise.all(Object.values(senders).map((sender) => sender.close()));
    },
  };
}
