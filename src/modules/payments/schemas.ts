import { Type } from 'typebox';
import { SUBSCRIPTION_STATUSES } from './tables.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

const PlanId = Type.String({
  pattern: '^[a-z][a-z0-9-]{0,39}$',
  description: 'Plan id: free, premium-monthly, premium-yearly or lifetime',
});
const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 currency code, e.g. EUR' });

export const Plan = Type.Object({
  id: PlanId,
  name: Type.String({ description: 'Name shown to people' }),
  interval: Nullable(Type.Enum(['month', 'year', 'lifetime'], { description: 'How often it is paid' })),
  trialDays: Type.Integer({ description: 'Free trial days of a new subscription' }),
  premium: Type.Boolean({ description: 'Whether it unlocks premium (for both partners)' }),
  prices: Type.Array(
    Type.Object({
      currency: Currency,
      amountMinor: Type.Integer({ description: 'Price in minor units (cents), tax included' }),
      display: Type.String({ description: 'The price formatted, e.g. EUR 7.99' }),
    }),
    { description: 'Its price in each currency' },
  ),
});

export const Entitlements = Type.Object({
  premium: Type.Boolean({ description: 'Whether premium is unlocked now' }),
  features: Type.Array(Type.Enum(['premium']), { description: 'The features unlocked now' }),
  source: Nullable(
    Type.Enum(['own', 'partner'], { description: 'Your own subscription or your partner’s (null: none)' }),
  ),
  grace: Type.Boolean({
    description: 'A renewal payment failed and is being retried: premium stays meanwhile',
  }),
  expiresAt: Nullable(Type.String({ format: 'date-time', description: 'When premium ends unless renewed' })),
  subscription: Nullable(
    Type.Object(
      {
        id: Type.String({ format: 'uuid', description: 'Subscription id' }),
        provider: Type.Enum(['sandbox', 'stripe', 'apple', 'google'], { description: 'Who bills it' }),
        planId: PlanId,
        status: Type.Enum([...SUBSCRIPTION_STATUSES], { description: 'Its state (Stripe’s names)' }),
        currentPeriodEnd: Nullable(
          Type.String({ format: 'date-time', description: 'End of the paid period' }),
        ),
        cancelAtPeriodEnd: Type.Boolean({ description: 'Whether it ends at the end of the period' }),
      },
      { description: 'Your own latest subscription, if any' },
    ),
  ),
});

export const CheckoutBody = Type.Object(
  {
    planId: PlanId,
    currency: Type.Optional(Currency),
  },
  { additionalProperties: false },
);

export const CheckoutAnswer = Type.Object({
  url: Type.String({ description: 'Open this page to pay' }),
  provider: Type.Enum(['sandbox', 'stripe'], { description: 'Who takes the payment' }),
  sessionId: Type.String({ description: 'The checkout session id' }),
});

export const PortalAnswer = Type.Object({
  url: Type.String({ description: 'The provider’s page where you manage or cancel your subscription' }),
});

export const SessionParams = Type.Object({
  sessionId: Type.String({
    pattern: '^cs_sandbox_[A-Za-z0-9_-]{24}$',
    description: 'Sandbox checkout session id',
  }),
});

export const SessionOutcome = Type.Object({
  sessionId: Type.String({ description: 'The checkout session id' }),
  status: Type.Enum(['open', 'completed', 'failed'], { description: 'What became of it' }),
  subscriptionId: Nullable(Type.String({ format: 'uuid', description: 'The subscription it created' })),
});

export const Invoice = Type.Object({
  id: Type.String({ format: 'uuid', description: 'Invoice id' }),
  number: Type.String({ description: 'Sequential number in the seller’s series' }),
  planId: PlanId,
  provider: Type.Enum(['sandbox', 'stripe', 'apple', 'google'], { description: 'Who took the payment' }),
  currency: Currency,
  subtotalMinor: Type.Integer({ description: 'Net amount, minor units' }),
  taxMinor: Type.Integer({ description: 'VAT, minor units' }),
  totalMinor: Type.Integer({ description: 'Paid, tax included, minor units' }),
  taxRateBp: Type.Integer({ description: 'VAT rate in basis points (1900 = 19 %)' }),
  periodStart: Nullable(Type.String({ format: 'date-time', description: 'Start of the paid period' })),
  periodEnd: Nullable(
    Type.String({ format: 'date-time', description: 'End of the paid period (null: lifetime)' }),
  ),
  issuedAt: Type.String({ format: 'date-time', description: 'When it was issued' }),
  pdfUrl: Type.String({ description: 'Where its PDF is' }),
});

export const InvoicePdfParams = Type.Object({
  id: Type.String({ format: 'uuid', description: 'Invoice id' }),
});

export const WebhookAnswer = Type.Object({
  received: Type.Boolean({ description: 'The event was accepted' }),
  duplicate: Type.Boolean({ description: 'It had been processed already; nothing changed' }),
});

export const AppleNotificationBody = Type.Object(
  {
    signedPayload: Type.String({
      minLength: 1,
      maxLength: 200_000,
      description: 'The JWS Apple signed (ResponseBodyV2)',
    }),
  },
  { additionalProperties: false },
);

/** A Pub/Sub push (Google Play RTDN); Pub/Sub sends some fields in both spellings. */
export const GooglePushBody = Type.Object(
  {
    message: Type.Object(
      {
        data: Type.Optional(
          Type.String({ maxLength: 100_000, description: 'base64 DeveloperNotification JSON' }),
        ),
        messageId: Type.Optional(Type.String({ maxLength: 200, description: 'Pub/Sub message id' })),
        message_id: Type.Optional(Type.String({ maxLength: 200, description: 'The same, snake_case' })),
        publishTime: Type.Optional(Type.String({ maxLength: 64, description: 'When it was published' })),
        publish_time: Type.Optional(Type.String({ maxLength: 64, description: 'The same, snake_case' })),
        attributes: Type.Optional(
          Type.Record(Type.String(), Type.String(), { description: 'Message attributes' }),
        ),
      },
      { additionalProperties: false, description: 'The Pub/Sub message' },
    ),
    subscription: Type.String({ maxLength: 500, description: 'The push subscription' }),
    deliveryAttempt: Type.Optional(Type.Integer({ description: 'Delivery attempt (with dead lettering)' })),
  },
  { additionalProperties: false },
);
