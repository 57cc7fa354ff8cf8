import type { ColumnType, Kysely, Selectable } from 'kysely';

/** Kysely types of the api-keys module's table (see migrations/). */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface ApiKeysTables {
  api_keys_keys: {
    id: string;
    /** `o2o_live_<12 hex>`: shown in lists, unique, the lookup key. */
    prefix: string;
    /** SHA-256 of the whole key. */
    secret_hash: Buffer;
    name: string;
    scopes: string[];
    rate_limit_per_minute: number;
    /** The admin who made it (null once their account is erased). */
    created_by: string | null;
    created_at: Timestamp;
    expires_at: NullableTimestamp;
    revoked_at: NullableTimestamp;
    last_used_at: NullableTimestamp;
    /** The key this one replaced by rotation. */
    rotated_from: string | null;
  };
}

export type ApiKeysDb = Kysely<ApiKeysTables>;
export type KeyRow = Selectable<ApiKeysTables['api_keys_keys']>;
