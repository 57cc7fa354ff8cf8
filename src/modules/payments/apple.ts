import { readFileSync } from 'node:fs';
import {
  Environment,
  type JWSRenewalInfoDecodedPayload,
  type JWSTransactionDecodedPayload,
  SignedDataVerifier,
  VerificationException,
} from '@apple/app-store-server-library';
import { validationError } from '../../platform/http/errors.ts';
import type { AppleSettings } from './config.ts';
import type { PaymentsContext } from './context.ts';
import { forgetEntitlements, sharersOf } from './entitlements.ts';
import { applySubscription, firstDelivery } from './subscriptions.ts';
import type { SubscriptionStatus } from './tables.ts';

/**
 * App Store Server Notifications v2. The `signedPayload` (and the signed
 * transaction and renewal info inside it) is verified with Apple's official
 * library against the configured root certificates (Apple Root CA - G3 in
 * production): the x5c chain must lead to a trusted root and carry Apple's
 * marker extensions, checked offline at the payload's signed date. The
 * buyer is the `appAccountToken` the app set to our user id at purchase.
 * Notifications are de-duplicated by `notificationUUID`; Apple's signedDate
 * orders them (an older one never overwrites a newer state). Apple is the
 * merchant of record for App Store sales and issues the receipts, so no
 * invoice of ours is issued for them.
 */
export interface AppleProvider {
  notification(signedPayload: string): Promise<{ received: true; duplicate: boolean }>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const pemOrFile = (value: string) => (value.startsWith('-----BEGIN') ? value : readFileSync(value, 'utf8'));

/** What a notification means for the subscription it is about. */
function statusOf(
  type: string,
  subtype: string | undefined,
  expiresDate: number | undefined,
): SubscriptionStatus {
  switch (type) {
    case 'SUBSCRIBED':
    case 'DID_RENEW':
    case 'OFFER_REDEEMED':
    case 'RENEWAL_EXTENDED':
    case 'REFUND_REVERSED':
    case 'ONE_TIME_CHARGE':
      return 'active';
    case 'DID_FAIL_TO_RENEW':
      // In the grace period the buyer keeps access while Apple retries; after it, none.
      return subtype === 'GRACE_PERIOD' ? 'past_due' : 'unpaid';
    case 'GRACE_PERIOD_EXPIRED':
      return 'unpaid';
    case 'EXPIRED':
    case 'REFUND':
    case 'REVOKE':
      return 'canceled';
    default:
      // Renewal preference or status changes, price notices...: access as the transaction says.
      return expiresDate === undefined || expiresDate > Date.now() ? 'active' : 'canceled';
  }
}

export function createAppleProvider(ctx: PaymentsContext, settings: AppleSettings): AppleProvider {
  const environment = settings.environment === 'Sandbox' ? Environment.SANDBOX : Environment.PRODUCTION;
  const verifier = new SignedDataVerifier(
    settings.rootCertificates.map((cert) => Buffer.from(pemOrFile(cert))),
    false,
    environment,
    settings.bundleId,
    settings.appAppleId,
  );
  const planOfProduct = new Map(Object.entries(settings.products).map(([plan, product]) => [product, plan]));

  async function verified<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof VerificationException) {
        throw validationError(
          `The App Store signature is not valid (status ${error.status})`,
          'signedPayload',
        );
      }
      throw error;
    }
  }

  return {
    async notification(signedPayload) {
      const payload = await verified(() => verifier.verifyAndDecodeNotification(signedPayload));
      const id = payload.notificationUUID;
      if (!id) throw validationError('The notification has no notificationUUID', 'signedPayload');
      const type = String(payload.notificationType ?? '');
      let transaction: JWSTransactionDecodedPayload | undefined;
      let renewal: JWSRenewalInfoDecodedPayload | undefined;
      if (payload.data?.signedTransactionInfo) {
        const signed = payload.data.signedTransactionInfo;
        transaction = await verified(() => verifier.verifyAndDecodeTransaction(signed));
      }
      if (payload.data?.signedRenewalInfo) {
        const signed = payload.data.signedRenewalInfo;
        renewal = await verified(() => verifier.verifyAndDecodeRenewalInfo(signed));
      }
      const userId = transaction?.appAccountToken;
      const planId = transaction?.productId ? planOfProduct.get(transaction.productId) : undefined;
      const ref = transaction?.originalTransactionId;
      const subscriber = await ctx.db.transaction().execute(async (trx) => {
        if (!(await firstDelivery(trx, 'apple', id, type))) return null;
        // A TEST notification, another app's product, or a purchase made without our account token.
        if (!transaction || !userId || !UUID.test(userId) || !planId || !ref) return undefined;
        const status = statusOf(
          type,
          payload.subtype ? String(payload.subtype) : undefined,
          transaction.expiresDate,
        );
        const grace = status === 'past_due' ? renewal?.gracePeriodExpiresDate : undefined;
        const expiresAt = grace ?? (status === 'active' ? transaction.expiresDate : undefined);
        await applySubscription(trx, {
          provider: 'apple',
          providerRef: ref,
          userId,
          planId,
          currency: transaction.currency ?? null,
          status,
          currentPeriodStart: transaction.purchaseDate ? new Date(transaction.purchaseDate) : null,
          currentPeriodEnd: transaction.expiresDate ? new Date(transaction.expiresDate) : null,
          cancelAtPeriodEnd: renewal?.autoRenewStatus === 0,
          observedAt: new Date(payload.signedDate ?? Date.now()),
          expiresAt: expiresAt ? new Date(expiresAt) : null,
        });
        return userId;
      });
      if (subscriber) await forgetEntitlements(ctx.platform, await sharersOf(ctx.db, subscriber));
      return { received: true, duplicate: subscriber === null };
    },
  };
}
