import { configSection } from '../../platform/config.ts';

/** The plans that have a paid price at a provider (free needs none). */
export const PAID_PLANS = ['premium-monthly', 'premium-yearly', 'lifetime'] as const;
export type PaidPlanId = (typeof PAID_PLANS)[number];

export interface StripeSettings {
  secretKey: string;
  /** `whsec_...`: verifies the Stripe-Signature header of webhooks. */
  webhookSecret: string | undefined;
  /** Replaces https://api.stripe.com (a local fake in tests, or an egress proxy). */
  apiUrl: string | undefined;
  /** Stripe price ids per plan (`STRIPE_PRICE_PREMIUM_MONTHLY`, ...). */
  prices: Partial<Record<PaidPlanId, string>>;
  /** Free trial days of a new subscription in Checkout (0: none). */
  trialDays: number;
}

export interface AppleSettings {
  bundleId: string;
  /** The app's Apple id (required by Apple in production). */
  appAppleId: number | undefined;
  environment: 'Production' | 'Sandbox';
  /** Trusted root certificates (PEM, inline or file paths, comma separated); Apple Root CA - G3 in production. */
  rootCertificates: string[];
  /** App Store product ids per plan (`APPLE_PRODUCT_PREMIUM_MONTHLY`, ...). */
  products: Partial<Record<PaidPlanId, string>>;
}

export interface GoogleSettings {
  packageName: string;
  /** Service-account key (JSON, inline or a file path) allowed to read purchases in the Play Console. */
  serviceAccount: string | undefined;
  /** Replaces https://androidpublisher.googleapis.com (a local fake in tests, an egress proxy). */
  apiUrl: string;
  /** Extra CA certificate (PEM) trusted for apiUrl and the token endpoint (a test server, a proxy). */
  apiCa: string | undefined;
  /** The push subscription's audience: the `aud` of the OIDC token Pub/Sub sends. */
  pubsubAudience: string | undefined;
  /** The service account Pub/Sub signs push tokens as (`email` claim). */
  pubsubServiceAccount: string | undefined;
  pubsubJwksUrl: string;
  pubsubIssuer: string;
  /** Play product (subscription) ids per plan (`GOOGLE_PRODUCT_PREMIUM_MONTHLY`, ...). */
  products: Partial<Record<PaidPlanId, string>>;
}

/** The legal entity that issues invoices (its number series is its own). */
export interface SellerSettings {
  /** Key of the invoice number series. */
  id: string;
  name: string;
  address: string;
  taxId: string;
  /** Prefix of invoice numbers (`O2O-2026-000001`). */
  invoicePrefix: string;
  /** VAT included in prices, in basis points (1900 = 19 %). */
  taxRateBp: number;
}

declare module '../../platform/config.ts' {
  interface ModuleConfigs {
    payments: {
      /** `sandbox` (the default without Stripe credentials; refused in production) or `stripe`. */
      provider: 'sandbox' | 'stripe';
      defaultCurrency: string;
      /** Where Checkout sends the buyer back (the app). */
      returnUrl: string;
      stripe: StripeSettings | undefined;
      apple: AppleSettings | undefined;
      google: GoogleSettings | undefined;
      seller: SellerSettings;
      /** How often the Stripe reconciliation replays events whose delivery failed (cron). */
      reconcileCron: string;
    };
  }
}

const planVar = (plan: PaidPlanId) => plan.toUpperCase().replace('-', '_');

/** STRIPE_*, APPLE_*, BILLING_* (README, docs/payments.md). */
export const paymentsConfig = configSection('payments', (r, platform) => {
  const secretKey = r.optional('STRIPE_SECRET_KEY');
  const stripe: StripeSettings | undefined = secretKey
    ? {
        secretKey,
        webhookSecret: r.optional('STRIPE_WEBHOOK_SECRET'),
        apiUrl: r.url('STRIPE_API_URL', ['https:', 'http:']),
        prices: Object.fromEntries(
          PAID_PLANS.map((plan) => [plan, r.optional(`STRIPE_PRICE_${planVar(plan)}`)]).filter(([, v]) => v),
        ),
        trialDays: r.int('STRIPE_TRIAL_DAYS', 7, 0, 730),
      }
    : undefined;
  const bundleId = r.optional('APPLE_BUNDLE_ID');
  const apple: AppleSettings | undefined = bundleId
    ? {
        bundleId,
        appAppleId: r.optional('APPLE_APP_APPLE_ID') ? r.int('APPLE_APP_APPLE_ID', 0, 1, 2 ** 48) : undefined,
        environment: r.oneOf('APPLE_ENVIRONMENT', ['Production', 'Sandbox'] as const, 'Production'),
        rootCertificates: r.list('APPLE_ROOT_CERTIFICATES'),
        products: Object.fromEntries(
          PAID_PLANS.map((plan) => [plan, r.optional(`APPLE_PRODUCT_${planVar(plan)}`)]).filter(([, v]) => v),
        ),
      }
    : undefined;
  const packageName = r.optional('GOOGLE_PACKAGE_NAME');
  const google: GoogleSettings | undefined = packageName
    ? {
        packageName,
        serviceAccount: r.optional('GOOGLE_SERVICE_ACCOUNT'),
        apiUrl: (
          r.url('GOOGLE_PLAY_API_URL', ['https:']) ?? 'https://androidpublisher.googleapis.com'
        ).replace(/\/+$/, ''),
        apiCa: r.optional('GOOGLE_PLAY_API_CA'),
        pubsubAudience: r.optional('GOOGLE_PUBSUB_AUDIENCE'),
        pubsubServiceAccount: r.optional('GOOGLE_PUBSUB_SERVICE_ACCOUNT'),
        pubsubJwksUrl:
          r.url('GOOGLE_PUBSUB_JWKS_URL', ['https:', 'http:']) ??
          'https://www.googleapis.com/oauth2/v3/certs',
        pubsubIssuer: r.string('GOOGLE_PUBSUB_ISSUER', 'https://accounts.google.com'),
        products: Object.fromEntries(
          PAID_PLANS.map((plan) => [plan, r.optional(`GOOGLE_PRODUCT_${planVar(plan)}`)]).filter(
            ([, v]) => v,
          ),
        ),
      }
    : undefined;
  const provider = r.oneOf('BILLING_PROVIDER', ['sandbox', 'stripe'] as const, stripe ? 'stripe' : 'sandbox');
  if (provider === 'stripe' && !stripe) r.problems.push('BILLING_PROVIDER=stripe needs STRIPE_SECRET_KEY');
  return {
    provider,
    defaultCurrency: r.oneOf('BILLING_DEFAULT_CURRENCY', ['EUR', 'USD', 'GBP'] as const, 'EUR'),
    returnUrl: r.string('BILLING_RETURN_URL', `${platform.appUrl}/settings/billing`),
    stripe,
    apple,
    google,
    seller: {
      id: r.string('BILLING_SELLER_ID', 'default'),
      name: r.string('BILLING_SELLER_NAME', 'One 2 One Love'),
      address: r.string('BILLING_SELLER_ADDRESS', 'Address not configured'),
      taxId: r.string('BILLING_SELLER_TAX_ID', 'not configured'),
      invoicePrefix: r.string('BILLING_SELLER_INVOICE_PREFIX', 'O2O'),
      taxRateBp: r.int('BILLING_SELLER_TAX_RATE_BP', 1900, 0, 10_000),
    },
    reconcileCron: r.string('STRIPE_RECONCILE_CRON', '*/15 * * * *'),
  };
});
