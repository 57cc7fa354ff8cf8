import { readFileSync } from 'node:fs';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { parseServiceAccount, ServiceAccountTokens } from '../../platform/channels/google-service-account.ts';
import { Http2Client, jsonObject } from '../../platform/channels/http2-client.ts';
import { authenticationRequired } from '../../platform/http/auth.ts';
import { serviceUnavailable, validationError } from '../../platform/http/errors.ts';
import type { GoogleSettings } from './config.ts';
import type { PaymentsContext } from './context.ts';
import { forgetEntitlements, sharersOf } from './entitlements.ts';
import { applySubscription, firstDelivery, type ProviderSubscription } from './subscriptions.ts';
import type { SubscriptionStatus } from './tables.ts';

/**
 * Google Play Real-time Developer Notifications, pushed by Pub/Sub. The push
 * carries an OIDC token that Google signs: verified with jose against
 * Google's JWKS (issuer, audience of our push subscription, the push service
 * account). A notification is only a signal: the purchase is re-read from
 * the Play Developer API (purchases.subscriptionsv2.get) with the service
 * account's OAuth token (the platform's, shared with FCM). De-duplicated by
 * Pub/Sub's message id. The buyer is the purchase's
 * `obfuscatedExternalAccountId`, which the app sets to our user id.
 */
export interface GooglePushBody {
  message: { data?: string; messageId?: string; message_id?: string };
  subscription: string;
}

export interface GoogleProvider {
  push(
    authorization: string | undefined,
    body: GooglePushBody,
  ): Promise<{ received: true; duplicate: boolean }>;
}

const SCOPE = 'https://www.googleapis.com/auth/androidpublisher';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Play's subscription states in Stripe's terms (a canceled one keeps access until its expiry). */
const STATES: Record<string, SubscriptionStatus> = {
  SUBSCRIPTION_STATE_ACTIVE: 'active',
  SUBSCRIPTION_STATE_CANCELED: 'active',
  SUBSCRIPTION_STATE_IN_GRACE_PERIOD: 'past_due',
  SUBSCRIPTION_STATE_ON_HOLD: 'unpaid',
  SUBSCRIPTION_STATE_PAUSED: 'paused',
  SUBSCRIPTION_STATE_EXPIRED: 'canceled',
  SUBSCRIPTION_STATE_PENDING: 'incomplete',
  SUBSCRIPTION_STATE_PENDING_PURCHASE_CANCELED: 'incomplete_expired',
};

interface SubscriptionPurchaseV2 {
  subscriptionState?: string;
  startTime?: string;
  lineItems?: Array<{ productId?: string; expiryTime?: string }>;
  externalAccountIdentifiers?: { obfuscatedExternalAccountId?: string };
}

export function createGoogleProvider(ctx: PaymentsContext, settings: GoogleSettings): GoogleProvider {
  const jwks = createRemoteJWKSet(new URL(settings.pubsubJwksUrl));
  const http = new Http2Client({ ...(settings.apiCa ? { ca: settings.apiCa } : {}), timeoutMs: 15_000 });
  ctx.platform.onClose(() => http.close());
  const account = settings.serviceAccount
    ? parseServiceAccount(
        settings.serviceAccount.trimStart().startsWith('{')
          ? settings.serviceAccount
          : readFileSync(settings.serviceAccount, 'utf8'),
      )
    : undefined;
  const tokens = account ? new ServiceAccountTokens(account, SCOPE, http) : undefined;
  const planOfProduct = new Map(Object.entries(settings.products).map(([plan, product]) => [product, plan]));

  async function verifyPush(authorization: string | undefined) {
    const token = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
    if (!token || !settings.pubsubAudience) throw authenticationRequired();
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: [settings.pubsubIssuer, settings.pubsubIssuer.replace(/^https:\/\//, '')],
        audience: settings.pubsubAudience,
      });
      if (
        settings.pubsubServiceAccount &&
        (payload.email !== settings.pubsubServiceAccount || payload.email_verified !== true)
      ) {
        throw new Error('not the push service account');
      }
    } catch {
      throw authenticationRequired();
    }
  }

  async function readPurchase(token: string): Promise<ProviderSubscription | undefined> {
    if (!tokens) throw serviceUnavailable(3600, 'GOOGLE_SERVICE_ACCOUNT is not set');
    const observedAt = new Date();
    const url = `${settings.apiUrl}/androidpublisher/v3/applications/${encodeURIComponent(settings.packageName)}/purchases/subscriptionsv2/tokens/${encodeURIComponent(token)}`;
    let response: Awaited<ReturnType<Http2Client['request']>>;
    try {
      response = await http.request(url, {
        method: 'GET',
        headers: { authorization: `Bearer ${await tokens.token()}` },
      });
    } catch (error) {
      throw serviceUnavailable(60, `Google Play could not be reached: ${(error as Error).message}`);
    }
    if (response.status === 401) tokens.invalidate();
    if (response.status === 404 || response.status === 410) return undefined;
    if (response.status !== 200) throw serviceUnavailable(60, `Google Play answered ${response.status}`);
    const purchase = jsonObject(response.body) as SubscriptionPurchaseV2;
    const item = purchase.lineItems?.[0];
    const planId = item?.productId ? planOfProduct.get(item.productId) : undefined;
    const userId = purchase.externalAccountIdentifiers?.obfuscatedExternalAccountId;
    const status = STATES[purchase.subscriptionState ?? ''];
    if (!planId || !userId || !UUID.test(userId) || !status) return undefined;
    const expiry = item?.expiryTime ? new Date(item.expiryTime) : null;
    return {
      provider: 'google',
      providerRef: token,
      userId,
      planId,
      currency: null,
      status,
      currentPeriodStart: purchase.startTime ? new Date(purchase.startTime) : null,
      currentPeriodEnd: expiry,
      cancelAtPeriodEnd: purchase.subscriptionState === 'SUBSCRIPTION_STATE_CANCELED',
      observedAt,
      // Access ends at the expiry unless a renewal moves it (grace: Play extends expiryTime).
      expiresAt: status === 'active' || status === 'past_due' ? expiry : null,
    };
  }

  return {
    async push(authorization, body) {
      await verifyPush(authorization);
      const messageId = body.message.messageId ?? body.message.message_id;
      if (!messageId) throw validationError('The Pub/Sub message has no messageId', 'message.messageId');
      let notification: Record<string, unknown>;
      try {
        notification = JSON.parse(Buffer.from(body.message.data ?? '', 'base64').toString('utf8')) as Record<
          string,
          unknown
        >;
      } catch {
        throw validationError('message.data is not base64 JSON', 'message.data');
      }
      const sub = notification.subscriptionNotification as { purchaseToken?: unknown } | undefined;
      const ours = notification.packageName === settings.packageName;
      const report =
        ours && typeof sub?.purchaseToken === 'string' ? await readPurchase(sub.purchaseToken) : undefined;
      const subscriber = await ctx.db.transaction().execute(async (trx) => {
        if (!(await firstDelivery(trx, 'google', messageId, 'rtdn'))) return null;
        if (!report) return undefined;
        await applySubscription(trx, report);
        return report.userId;
      });
      if (subscriber) await forgetEntitlements(ctx.platform, await sharersOf(ctx.db, subscriber));
      return { received: true, duplicate: subscriber === null };
    },
  };
}
