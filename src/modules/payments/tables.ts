import type { ColumnType, Generated, Kysely, Selectable, Transaction } from 'kysely';

/** Kysely types of the payments module's tables (see migrations/). */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;

export type Provider = 'sandbox' | 'stripe' | 'apple' | 'google';

/** Stripe's subscription states, which the app stores map onto too. */
export const SUBSCRIPTION_STATUSES = [
  'trialing',
  'active',
  'past_due',
  'canceled',
  'unpaid',
  'incomplete',
  'incomplete_expired',
  'paused',
] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

export type EntitlementState = 'active' | 'grace' | 'inactive';

export interface InvoiceLine {
  description: string;
  quantity: number;
  unitMinor: number;
  totalMinor: number;
}

export interface SellerSnapshot {
  name: string;
  address: string;
  taxId: string;
}

export interface PaymentsTables {
  payments_plans: {
    id: string;
    name: string;
    interval: 'month' | 'year' | 'lifetime' | null;
    trial_days: number;
    premium: boolean;
    sort: number;
  };
  payments_plan_prices: { plan_id: string; currency: string; amount_minor: number };
  payments_checkout_sessions: {
    id: string;
    user_id: string;
    plan_id: string;
    currency: string;
    provider: Provider;
    status: 'open' | 'completed' | 'failed';
    subscription_id: string | null;
    created_at: Generated<Date>;
    completed_at: NullableTimestamp;
  };
  payments_customers: {
    user_id: string;
    provider: Provider;
    customer_id: string;
    created_at: Generated<Date>;
  };
  payments_subscriptions: {
    user_id: string;
    id: string;
    provider: Provider;
    provider_ref: string;
    plan_id: string;
    currency: string | null;
    status: SubscriptionStatus;
    current_period_start: NullableTimestamp;
    current_period_end: NullableTimestamp;
    cancel_at_period_end: boolean;
    provider_updated_at: Timestamp;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
  };
  payments_entitlements: {
    subscriber_id: string;
    subscription_id: string;
    feature: 'premium';
    state: EntitlementState;
    /** The subscriber's couple while they are linked: their partner shares the entitlement. */
    couple_id: string | null;
    expires_at: NullableTimestamp;
    updated_at: Generated<Date>;
  };
  payments_webhook_events: {
    provider: Provider;
    event_id: string;
    type: string;
    received_at: Generated<Date>;
  };
  payments_invoice_counters: { seller_id: string; last_number: ColumnType<string, number, number> };
  payments_invoices: {
    user_id: string;
    id: string;
    seller_id: string;
    number: string;
    sequence: ColumnType<string, number, number>;
    provider: Provider;
    provider_ref: string;
    subscription_id: string | null;
    plan_id: string;
    buyer_name: string;
    currency: string;
    subtotal_minor: number;
    tax_minor: number;
    total_minor: number;
    tax_rate_bp: number;
    period_start: NullableTimestamp;
    period_end: NullableTimestamp;
    seller: Json<SellerSnapshot>;
    lines: Json<InvoiceLine[]>;
    issued_at: Timestamp;
  };
  outbox_events: Record<string, unknown>;
}

export type PaymentsDb = Kysely<PaymentsTables>;
export type PaymentsTrx = Transaction<PaymentsTables>;
export type SubscriptionRow = Selectable<PaymentsTables['payments_subscriptions']>;
export type InvoiceRow = Selectable<PaymentsTables['payments_invoices']>;
export type SessionRow = Selectable<PaymentsTables['payments_checkout_sessions']>;
