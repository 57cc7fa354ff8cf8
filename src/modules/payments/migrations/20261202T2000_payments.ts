import { type Kysely, sql } from 'kysely';

/**
 * Plans and their prices (small reference tables, seeded here), checkout
 * sessions, provider customers, subscriptions, the entitlements they grant
 * (owned by the subscriber's couple, following the subscriber), processed
 * webhook events (de-duplication by the provider's event id), invoices and
 * one gap-free invoice counter per legal entity.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table payments_plans (
      id text primary key,
      name text not null,
      interval text check (interval in ('month', 'year', 'lifetime')),
      trial_days integer not null default 0,
      premium boolean not null,
      sort integer not null
    )`.execute(db);
  await sql`
    create table payments_plan_prices (
      plan_id text not null references payments_plans (id),
      currency text not null check (currency ~ '^[A-Z]{3}$'),
      amount_minor integer not null check (amount_minor >= 0),
      primary key (plan_id, currency)
    )`.execute(db);
  await sql`
    insert into payments_plans (id, name, interval, trial_days, premium, sort) values
      ('free', 'Free', null, 0, false, 0),
      ('premium-monthly', 'Premium (monthly)', 'month', 7, true, 1),
      ('premium-yearly', 'Premium (yearly)', 'year', 7, true, 2),
      ('lifetime', 'Premium for life', 'lifetime', 0, true, 3)`.execute(db);
  await sql`
    insert into payments_plan_prices (plan_id, currency, amount_minor) values
      ('free', 'EUR', 0), ('free', 'USD', 0), ('free', 'GBP', 0),
      ('premium-monthly', 'EUR', 799), ('premium-monthly', 'USD', 899), ('premium-monthly', 'GBP', 699),
      ('premium-yearly', 'EUR', 5999), ('premium-yearly', 'USD', 6999), ('premium-yearly', 'GBP', 5499),
      ('lifetime', 'EUR', 14999), ('lifetime', 'USD', 16999), ('lifetime', 'GBP', 12999)`.execute(db);

  // Looked up by their unguessable id (the capability in the checkout URL), like an invite code.
  await sql`
    create table payments_checkout_sessions (
      id text primary key,
      user_id uuid not null,
      plan_id text not null references payments_plans (id),
      currency text not null,
      provider text not null,
      status text not null check (status in ('open', 'completed', 'failed')),
      subscription_id uuid,
      created_at timestamptz not null default now(),
      completed_at timestamptz
    )`.execute(db);
  await sql`create index payments_checkout_sessions_user on payments_checkout_sessions (user_id)`.execute(db);

  await sql`
    create table payments_customers (
      user_id uuid not null,
      provider text not null,
      customer_id text not null,
      created_at timestamptz not null default now(),
      primary key (user_id, provider)
    )`.execute(db);
  await sql`create unique index payments_customers_ref on payments_customers (provider, customer_id)`.execute(
    db,
  );

  await sql`
    create table payments_subscriptions (
      user_id uuid not null,
      id uuid not null,
      provider text not null check (provider in ('sandbox', 'stripe', 'apple', 'google')),
      provider_ref text not null,
      plan_id text not null references payments_plans (id),
      currency text,
      status text not null,
      current_period_start timestamptz,
      current_period_end timestamptz,
      cancel_at_period_end boolean not null default false,
      provider_updated_at timestamptz not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (user_id, id)
    )`.execute(db);
  // A provider's subscription is one row whoever's it is: webhooks find it by the provider's id.
  await sql`create unique index payments_subscriptions_ref on payments_subscriptions (provider, provider_ref)`.execute(
    db,
  );

  await sql`
    create table payments_entitlements (
      subscriber_id uuid not null,
      subscription_id uuid not null,
      feature text not null check (feature in ('premium')),
      state text not null check (state in ('active', 'grace', 'inactive')),
      couple_id uuid,
      expires_at timestamptz,
      updated_at timestamptz not null default now(),
      primary key (subscriber_id, subscription_id, feature)
    )`.execute(db);
  await sql`create index payments_entitlements_couple on payments_entitlements (couple_id) where couple_id is not null`.execute(
    db,
  );

  await sql`
    create table payments_webhook_events (
      provider text not null,
      event_id text not null,
      type text not null,
      received_at timestamptz not null default now(),
      primary key (provider, event_id)
    )`.execute(db);

  await sql`
    create table payments_invoice_counters (
      seller_id text primary key,
      last_number bigint not null default 0
    )`.execute(db);
  await sql`
    create table payments_invoices (
      user_id uuid not null,
      id uuid not null,
      seller_id text not null,
      number text not null,
      sequence bigint not null,
      provider text not null,
      provider_ref text not null,
      subscription_id uuid,
      plan_id text not null,
      buyer_name text not null,
      currency text not null,
      subtotal_minor integer not null,
      tax_minor integer not null,
      total_minor integer not null,
      tax_rate_bp integer not null,
      period_start timestamptz,
      period_end timestamptz,
      seller jsonb not null,
      lines jsonb not null,
      issued_at timestamptz not null default now(),
      primary key (user_id, id)
    )`.execute(db);
  await sql`create unique index payments_invoices_ref on payments_invoices (provider, provider_ref)`.execute(
    db,
  );
  await sql`create unique index payments_invoices_number on payments_invoices (seller_id, sequence)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'payments_invoices',
    'payments_invoice_counters',
    'payments_webhook_events',
    'payments_entitlements',
    'payments_subscriptions',
    'payments_customers',
    'payments_checkout_sessions',
    'payments_plan_prices',
    'payments_plans',
  ]) {
    await sql`drop table if exists ${sql.table(table)}`.execute(db);
  }
}
