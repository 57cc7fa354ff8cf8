import type { DistributionMap, KnownException, Placement } from './platform/db/distribution.ts';

/**
 * Where every table goes on a Citus cluster (docs/scaling.md has the
 * `create_distributed_table` / `create_reference_table` statements made from
 * this map). `test/platform/citus-readiness.test.ts` fails when a table of a
 * migrated database is missing here, or breaks a rule it does not list as a
 * known exception, or lists an exception it no longer needs.
 */

const byUser = (column = 'user_id', exceptions?: KnownException[]): Placement => ({
  kind: 'distributed',
  column,
  colocation: 'user',
  ...(exceptions ? { exceptions } : {}),
});
const byCouple = (column = 'couple_id', exceptions?: KnownException[]): Placement => ({
  kind: 'distributed',
  column,
  colocation: 'couple',
  ...(exceptions ? { exceptions } : {}),
});
/** A lookup table keyed by something other than a user or a couple: its own colocation group. */
const byOwnKey = (column: string, colocation: string): Placement => ({
  kind: 'distributed',
  column,
  colocation,
});

const TOKEN_LOOKUP =
  'Looked up by the hash of the presented token alone, before the caller is known, so the token hash is the key.';
const TOKEN_PLAN =
  'Put the user id in the opaque token (`<userId>.<secret>`) and the primary key becomes (user_id, token_hash); lookups then route by user_id.';

const tokenTable = (constraint: string): Placement =>
  byUser('user_id', [{ rule: 'primary-key', name: constraint, reason: TOKEN_LOOKUP, plan: TOKEN_PLAN }]);

const providerRef = (name: string, what: string): KnownException => ({
  rule: 'unique',
  name,
  reason: `The payment provider's ${what} is unique across all users; webhooks arrive with only that reference.`,
  plan: `A lookup table distributed by the provider reference (${name.replace(/_ref$/, '')}_refs: provider, ref → user_id), written in the same transaction as the row; the unique index moves there.`,
});

export const DISTRIBUTION: DistributionMap = {
  // Auth: an account's id is the user id.
  auth_accounts: byUser('id', [
    {
      rule: 'unique',
      name: 'auth_accounts_email_key',
      reason: 'An email address belongs to one account across all users.',
      plan: 'auth_emails (email primary key, user_id), distributed by email in its own group; sign-up inserts both in one transaction.',
    },
    {
      rule: 'hot-query',
      name: 'sign in',
      reason: 'Sign-in finds the account by email before it knows the user id.',
      plan: 'Read the user id from auth_emails (one shard, by email), then the account by id.',
    },
  ]),
  auth_sessions: byUser('user_id', [
    {
      rule: 'primary-key',
      name: 'auth_sessions_pkey',
      reason: 'Sessions are keyed by their own id, which the access token carries as `sid`.',
      plan: 'Primary key (user_id, id); every lookup already knows the user (the token carries `sub`).',
    },
    {
      rule: 'hot-query',
      name: 'refresh',
      reason: 'The refresh query joins the session by its id (s.id = t.session_id).',
      plan: 'With both keys (user_id, …) and the user id in the token, the join also pairs user_id.',
    },
  ]),
  auth_refresh_tokens: byUser('user_id', [
    { rule: 'primary-key', name: 'auth_refresh_tokens_pkey', reason: TOKEN_LOOKUP, plan: TOKEN_PLAN },
    {
      rule: 'foreign-key',
      name: 'auth_refresh_tokens_session_id_fkey',
      reason: 'References the session by its id alone.',
      plan: 'Foreign key (user_id, session_id) → auth_sessions (user_id, id) once that is its primary key.',
    },
    {
      rule: 'hot-query',
      name: 'refresh',
      reason:
        'The refresh endpoint receives only the opaque token. With REDIS_URL set the tokens live in Redis instead.',
      plan: TOKEN_PLAN,
    },
  ]),
  auth_one_time_tokens: tokenTable('auth_one_time_tokens_pkey'),
  auth_mfa_challenges: tokenTable('auth_mfa_challenges_pkey'),
  auth_mfa_totp: byUser(),
  auth_recovery_codes: byUser(),
  auth_identities: byUser('user_id', [
    {
      rule: 'primary-key',
      name: 'auth_identities_pkey',
      reason: 'Keyed by its own id.',
      plan: 'Primary key (user_id, id).',
    },
    {
      rule: 'unique',
      name: 'auth_identities_provider_subject_key',
      reason:
        "An OpenID provider's subject belongs to one account; sign-in finds it before the user is known.",
      plan: 'auth_identity_subjects (provider, subject → user_id) distributed by subject, like auth_emails.',
    },
  ]),
  auth_oauth_flows: byOwnKey('state_hash', 'auth_oauth_flows'),
  auth_audit_log: byOwnKey('id', 'auth_audit_log'),

  // Users
  users_profiles: byUser(),
  users_preferences: byUser(),
  users_consents: byUser(),
  users_exports: byUser(),
  users_handles: byOwnKey('handle_key', 'users_handles'),
  users_erasures: {
    kind: 'local',
    why: 'A compliance record per erasure request: a few rows a day, read by admins.',
  },

  // Couples: a couple's id is the couple key; membership is looked up by user.
  couples_couples: byCouple('id', [
    {
      rule: 'hot-query',
      name: 'couple',
      reason:
        'GET /couples/me finds the active couple, or a closed one still in its read-only period, by user_a or user_b; couples_active_members holds only active couples.',
      plan: 'Keep the couple id of a closed couple on the user-scoped membership row until read_only_until, and read the couple by id.',
    },
  ]),
  couples_active_members: byUser(),
  couples_invites: {
    kind: 'distributed',
    column: 'code',
    colocation: 'couples_invites',
    exceptions: [
      {
        rule: 'unique',
        name: 'couples_invites_one_pending',
        reason: 'One pending invite per inviter, checked by a partial unique index on inviter_id.',
        plan: 'Keep the pending invite code on the inviter (a user-scoped couples_pending_invites (user_id primary key, code)) and drop the index.',
      },
    ],
  },

  // Love notes: notes and what hangs off them by couple; per-user settings by user.
  love_notes_notes: byCouple(),
  love_notes_reactions: byCouple(),
  love_notes_channel_outcomes: byCouple(),
  love_notes_settings: byUser(),
  love_notes_templates: byUser(),

  // Notifications
  notifications_items: byUser(),
  notifications_deliveries: byUser(),
  notifications_devices: byUser(),
  notifications_push_subscriptions: byUser(),
  notifications_recipients: byUser(),

  // Calendar and questions
  calendar_events: byCouple(),
  calendar_feeds: byUser(),
  questions_days: byCouple(),
  questions_answers: byCouple(),
  questions_guesses: byCouple(),

  // AI coach
  ai_coach_conversations: byUser(),
  ai_coach_messages: byUser(),
  ai_coach_memory: byUser(),
  ai_coach_usage: byUser(),
  ai_coach_referrals: {
    kind: 'local',
    why: 'Anonymous daily counters per category and locale, for the crisis-referral report.',
  },

  // Analytics: raw events by their id (user_id is null for anonymous events), rollups stay central.
  analytics_events: byOwnKey('id', 'analytics_events'),
  analytics_event_ids: byOwnKey('id', 'analytics_events'),
  analytics_daily_users: byUser(),
  analytics_first_seen: byUser(),
  analytics_daily_counts: {
    kind: 'local',
    why: 'Rollup of a day: a few thousand rows, written by one job, read by the admin dashboard.',
  },
  analytics_active_users: { kind: 'local', why: 'Rollup: one row per period and bucket.' },

  // Payments
  payments_plans: { kind: 'reference', why: 'The plan catalogue: a handful of rows read by every checkout.' },
  payments_plan_prices: { kind: 'reference', why: 'Prices of the plans, like payments_plans.' },
  payments_customers: byUser('user_id', [providerRef('payments_customers_ref', 'customer id')]),
  payments_subscriptions: byUser('user_id', [providerRef('payments_subscriptions_ref', 'subscription id')]),
  payments_invoices: byUser('user_id', [
    providerRef('payments_invoices_ref', 'invoice id'),
    {
      rule: 'unique',
      name: 'payments_invoices_number',
      reason: 'Invoice numbers are one gap-free sequence per seller, as tax law asks.',
      plan: 'Numbers come from payments_invoice_counters on the coordinator; the uniqueness is kept by the counter (a row lock per seller), and the index becomes (user_id, seller_id, sequence).',
    },
  ]),
  payments_checkout_sessions: byUser('user_id', [
    {
      rule: 'primary-key',
      name: 'payments_checkout_sessions_pkey',
      reason: "Keyed by the provider's checkout id, which the return URL and the webhook carry.",
      plan: 'Primary key (user_id, id), and the user id in the checkout metadata the provider echoes back.',
    },
  ]),
  payments_entitlements: byUser('subscriber_id'),
  payments_invoice_counters: {
    kind: 'local',
    why: 'One row per seller, locked while a number is taken: it must stay one row in one place.',
  },
  payments_webhook_events: byOwnKey('event_id', 'payments_webhook_events'),

  // Content, API keys and flags: small catalogues read everywhere.
  content_media: { kind: 'reference', why: 'Media metadata of the content library.' },
  content_shows: { kind: 'reference', why: 'Podcast shows of the content library.' },
  content_items: { kind: 'reference', why: 'Published content: thousands of rows, read by everyone.' },
  content_revisions: { kind: 'reference', why: 'Editorial history of content items (editor-written only).' },
  content_authors: { kind: 'reference', why: 'Authors of the content library.' },
  api_keys_keys: {
    kind: 'reference',
    why: 'Server-to-server keys: a few hundred rows checked on every keyed request.',
  },
  feature_flags_flags: { kind: 'reference', why: 'Flag definitions, evaluated on many requests.' },
  feature_flags_audit: { kind: 'local', why: 'Admin changes to flags: a few rows a day.' },

  // Platform
  idempotency_keys: byOwnKey('scope', 'idempotency_keys'),
  outbox_events: {
    kind: 'local',
    why: 'The bus outbox with one position sequence; the relay claims rows by state. With NATS the rows live until relayed, and the plan in docs/scaling.md moves them beside the change they describe.',
  },
  bus_deliveries: {
    kind: 'local',
    why: 'PostgreSQL transport only; at scale the transport is NATS JetStream.',
  },
  bus_subscriptions: { kind: 'local', why: 'Which consumer group wants which event type: tens of rows.' },
  bus_dead_letters: { kind: 'local', why: 'Failed events for admins: rare by design.' },
  bus_processed: {
    kind: 'local',
    why: 'Processed event ids per consumer group; see docs/scaling.md for moving it beside the effects.',
  },
  platform_recurring_runs: { kind: 'local', why: 'One claim row per recurring job.' },
  schema_migrations: { kind: 'local', why: 'The migrator’s bookkeeping.' },
  schema_migrations_lock: { kind: 'local', why: 'The migrator’s lock row.' },
  'graphile_worker.*': {
    kind: 'local',
    why: 'The job queue (graphile-worker) on the coordinator, or a database of its own.',
  },
};
