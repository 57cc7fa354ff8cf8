import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';
import type { Role } from '../../platform/http/auth-context.ts';

/** Kysely types of the auth module's tables (see migrations/). */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type AccountStatus = 'active' | 'suspended' | 'deleted';

export interface AuthTables {
  auth_accounts: {
    id: string;
    email: string;
    role: Generated<Role>;
    status: Generated<AccountStatus>;
    password_hash: string | null;
    email_verified_at: NullableTimestamp;
    mfa_enabled_at: NullableTimestamp;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
  auth_sessions: {
    id: string;
    user_id: string;
    created_at: Timestamp;
    last_used_at: Timestamp;
    expires_at: Timestamp;
    authenticated_at: Timestamp;
    method: string;
    user_agent: string | null;
    ip: string | null;
    revoked_at: NullableTimestamp;
    revoked_reason: string | null;
  };
  auth_refresh_tokens: {
    token_hash: Buffer;
    session_id: string;
    user_id: string;
    created_at: Timestamp;
    expires_at: Timestamp;
    used_at: NullableTimestamp;
    successor: string | null;
  };
  auth_one_time_tokens: {
    token_hash: Buffer;
    user_id: string;
    purpose: OneTimePurpose;
    created_at: Timestamp;
    expires_at: Timestamp;
    used_at: NullableTimestamp;
  };
  auth_mfa_totp: {
    user_id: string;
    secret: string;
    confirmed_at: NullableTimestamp;
    last_used_step: number | null;
    created_at: Timestamp;
  };
  auth_recovery_codes: {
    user_id: string;
    code_hash: Buffer;
    used_at: NullableTimestamp;
    created_at: Timestamp;
  };
  auth_mfa_challenges: {
    token_hash: Buffer;
    user_id: string;
    attempts: Generated<number>;
    expires_at: Timestamp;
    consumed_at: NullableTimestamp;
    user_agent: string | null;
    ip: string | null;
  };
  auth_identities: {
    id: string;
    user_id: string;
    provider: string;
    subject: string;
    email: string | null;
    created_at: Timestamp;
  };
  auth_oauth_flows: {
    state_hash: Buffer;
    provider: string;
    nonce: string;
    code_verifier: string;
    expires_at: Timestamp;
  };
  auth_audit_log: {
    id: string;
    occurred_at: Timestamp;
    user_id: string | null;
    action: string;
    outcome: 'success' | 'failure';
    ip: string | null;
    user_agent: string | null;
    detail: ColumnType<Record<string, unknown>, string | undefined, string>;
  };
  // The platform's outbox, written through publish() in the same transaction.
  outbox_events: Record<string, unknown>;
}

export type OneTimePurpose = 'verify-email' | 'reset-password';
export type AuthDb = Kysely<AuthTables>;
export type AuthTrx = Transaction<AuthTables>;
