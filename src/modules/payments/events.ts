import type { Provider, SubscriptionStatus } from './tables.ts';

declare module '../../platform/bus/events.ts' {
  interface EventMap {
    /**
     * A subscription was created or changed state (any provider, the sandbox
     * too); `premium` says whether it grants premium now (`grace` while a
     * renewal payment is being retried).
     */
    'payment.subscription-changed': {
      subscriptionId: string;
      userId: string;
      coupleId: string | null;
      provider: Provider;
      planId: string;
      status: SubscriptionStatus;
      previousStatus: SubscriptionStatus | null;
      premium: boolean;
      grace: boolean;
    };
    /** A paid period produced an invoice (numbered per legal entity); notifications mails it. */
    'payment.invoice-issued': {
      invoiceId: string;
      userId: string;
      number: string;
      totalMinor: number;
      currency: string;
      /** Already formatted for people, e.g. "EUR 7.99". */
      total: string;
    };
    /** A payment failed (a checkout, or a renewal the provider will retry). */
    'payment.failed': { userId: string; provider: Provider; subscriptionId: string | null; reason: string };
  }
}

/** What payments publishes, in the transaction of the change. */
export const PAYMENTS_EVENTS = [
  'payment.subscription-changed',
  'payment.invoice-issued',
  'payment.failed',
] as const;
