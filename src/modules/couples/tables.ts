import type { ColumnType, Generated, Kysely, Selectable, Transaction } from 'kysely';

/** Kysely types of the couples module's tables (see migrations/). */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type CoupleStatus = 'active' | 'closed';
export type InviteStatus = 'pending' | 'accepted' | 'declined' | 'revoked';

export interface CouplesTables {
  couples_couples: {
    id: string;
    /** Null once that member's account is erased. */
    user_a: string | null;
    user_b: string | null;
    status: CoupleStatus;
    linked_at: Timestamp;
    relationship_start: string | null;
    anniversary: string | null;
    /** What user_a calls user_b, and the other way round. */
    nickname_a: string | null;
    nickname_b: string | null;
    closed_at: NullableTimestamp;
    closed_by: string | null;
    close_reason: string | null;
    read_only_until: NullableTimestamp;
    updated_at: Generated<Date>;
  };
  /** One row per person in an active couple: the primary key is the one-couple rule. */
  couples_active_members: { user_id: string; couple_id: string };
  couples_invites: {
    code: string;
    inviter_id: string;
    status: InviteStatus;
    created_at: Timestamp;
    expires_at: Timestamp;
    responded_at: NullableTimestamp;
    responder_id: string | null;
  };
  outbox_events: Record<string, unknown>;
}

export type CouplesDb = Kysely<CouplesTables>;
export type CouplesTrx = Transaction<CouplesTables>;
export type CoupleRow = Selectable<CouplesTables['couples_couples']>;
export type InviteRow = Selectable<CouplesTables['couples_invites']>;
