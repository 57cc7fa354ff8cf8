import type { ColumnType, Kysely, Selectable, Transaction } from 'kysely';

/** Kysely types of the feature-flags module's tables (see migrations/). */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json = ColumnType<unknown, string | null, string | null>;

export interface FeatureFlagsTables {
  feature_flags_flags: {
    key: string;
    description: string;
    /** The kill switch: false makes every evaluation answer default_value. */
    enabled: boolean;
    /** What the flag answers while disabled. */
    default_value: boolean;
    /** 0–100: the share of users (by a stable hash of key + user id) for whom the flag is on. */
    rollout_percentage: number;
    /** Users for whom the flag is on whatever the rollout (deny wins over allow). */
    allow_users: ColumnType<string[], string[] | undefined, string[]>;
    /** Users for whom the flag is off whatever the rollout. */
    deny_users: ColumnType<string[], string[] | undefined, string[]>;
    created_at: Timestamp;
    updated_at: Timestamp;
    /** The admin who made the last change; null once their account is erased. */
    updated_by: string | null;
  };
  feature_flags_audit: {
    id: string;
    flag_key: string;
    action: 'created' | 'updated' | 'deleted';
    actor_id: string | null;
    /** The definition before and after the change (null for none). */
    before: Json;
    after: Json;
    occurred_at: Timestamp;
  };
}

export type FlagsDb = Kysely<FeatureFlagsTables>;
export type FlagsTrx = Transaction<FeatureFlagsTables>;
export type FlagRow = Selectable<FeatureFlagsTables['feature_flags_flags']>;
export type AuditRow = Selectable<FeatureFlagsTables['feature_flags_audit']>;
