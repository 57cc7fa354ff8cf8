import { unwrap } from '@one2one/client';
import { api } from '../api.ts';

/** Which API subscription id this browser's push endpoint was stored as (to delete it later). */
const ID_KEY = 'o2o.push.subscription-id';

export function pushSupported(): boolean {
  return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

/** The app's service worker (registered at start in production; registering again is a no-op). */
async function registration(): Promise<ServiceWorkerRegistration> {
  const existing = await navigator.serviceWorker.getRegistration('/');
  if (!existing) await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  return navigator.serviceWorker.ready;
}

function applicationServerKey(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(base64url.length / 4) * 4, '=');
  const raw = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

export async function currentPushSubscription(): Promise<PushSubscription | null> {
  if (!pushSupported()) return null;
  const existing = await navigator.serviceWorker.getRegistration('/');
  return existing ? existing.pushManager.getSubscription() : null;
}

/**
 * Asks for permission, subscribes with the API's VAPID key and stores the
 * subscription with the API, which then sends Web Push to this browser.
 */
export async function subscribeToPush(): Promise<void> {
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') {
    throw new Error('Notifications are blocked for this site; allow them in the browser settings first.');
  }
  const { publicKey } = await unwrap(api.GET('/v1/notifications/vapid-public-key'));
  const worker = await registration();
  const subscription =
    (await worker.pushManager.getSubscription()) ??
    (await worker.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: applicationServerKey(publicKey),
    }));
  const json = subscription.toJSON();
  if (!json.endpoint || !json.keys?.p256dh || !json.keys.auth) {
    throw new Error('The browser gave an incomplete push subscription.');
  }
  const stored = await unwrap(
    api.POST('/v1/notifications/push-subscriptions', {
      body: {
        endpoint: json.endpoint,
        expirationTime: json.expirationTime ?? null,
        keys: { p256dh: json.keys.p256dh, auth: json.keys.auth },
      },
    }),
  );
  localStorage.setItem(ID_KEY, stored.id);
}

export async function unsubscribeFromPush(): Promise<void> {
  const id = localStorage.getItem(ID_KEY);
  if (id) {
    await unwrap(api.DELETE('/v1/notifications/push-subscriptions/{id}', { params: { path: { id } } }));
    localStorage.removeItem(ID_KEY);
  }
  await (await currentPushSubscription())?.unsubscribe();
}
