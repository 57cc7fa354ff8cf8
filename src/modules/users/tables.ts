import type { ColumnType, Generated, Kysely, Selectable, Transaction } from 'kysely';

/** Kysely types of the users module's tables (see migrations/). */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;

export type ProfileStatus = 'active' | 'suspended' | 'deleted';
export type ExportStatus = 'pending' | 'running' | 'ready' | 'failed';

export interface AvatarRecord {
  /** Content hash shared by every variant's name. */
  hash: string;
  sizes: number[];
}

export interface UsersTables {
  users_profiles: {
    user_id: string;
    handle: string | null;
    display_name: string | null;
    birthday: string | null;
    pronouns: string | null;
    time_zone: Generated<string>;
    locale: Generated<string>;
    love_languages: Generated<string[]>;
    bio: string | null;
    discoverable: Generated<boolean>;
    avatar: ColumnType<AvatarRecord | null, string | null | undefined, string | null>;
    status: Generated<ProfileStatus>;
    suspended_at: NullableTimestamp;
    suspension_reason: string | null;
    deleted_at: NullableTimestamp;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
  };
  /** Handles keyed by their lower-case form: the uniqueness lives in the primary key. */
  users_handles: { handle_key: string; user_id: string };
  users_preferences: { user_id: string; preferences: Json<Record<string, unknown>>; updated_at: Timestamp };
  users_consents: {
    user_id: string;
    id: string;
    type: string;
    version: string;
    granted: boolean;
    ip: string | null;
    user_agent: string | null;
    recorded_at: Timestamp;
  };
  users_exports: {
    user_id: string;
    id: string;
    status: ExportStatus;
    progress: Generated<number>;
    storage_key: string | null;
    error: string | null;
    created_at: Timestamp;
    completed_at: NullableTimestamp;
    expires_at: NullableTimestamp;
  };
  /** The anonymised audit record of an erasure: a keyed hash, never the id itself. */
  users_erasures: {
    id: string;
    subject_hash: string;
    requested_at: Timestamp;
    completed_at: NullableTimestamp;
    modules: ColumnType<string[], string[] | undefined, string[]>;
  };
  outbox_events: Record<string, unknown>;
}

export type UsersDb = Kysely<UsersTables>;
export type UsersTrx = Transaction<UsersTables>;
export type ProfileRow = Selectable<UsersTables['users_profiles']>;
