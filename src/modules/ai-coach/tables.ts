import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';

type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** bigint columns come back as strings from pg. */
type BigCount = ColumnType<string, number | undefined, number>;

export type SafetyCategory = 'self-harm' | 'harm-to-others' | 'abuse';
export type MessageKind = 'message' | 'reply' | 'disclosure' | 'crisis' | 'refusal';
export type MessageStatus = 'complete' | 'cancelled' | 'interrupted';

export interface Source {
  id: string;
  title: string;
  tags: string[];
  kind: 'exercise' | 'content';
}

export interface ConversationsTable {
  user_id: string;
  id: string;
  /** Ciphertext bound to `ai_coach_conversations.title:<id>`, or null. */
  title: string | null;
  /** Shared with the owner's partner (read-only); private by default. */
  shared: Generated<boolean>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface MessagesTable {
  user_id: string;
  conversation_id: string;
  id: string;
  role: 'user' | 'assistant';
  kind: Generated<MessageKind>;
  /** Ciphertext bound to `ai_coach_messages.content:<id>`. */
  content: string;
  status: Generated<MessageStatus>;
  provider: string | null;
  model: string | null;
  input_tokens: Generated<number>;
  output_tokens: Generated<number>;
  cost_micro_usd: BigCount;
  safety_crisis: Generated<boolean>;
  safety_category: SafetyCategory | null;
  sources: ColumnType<Source[], string | undefined, string>;
  created_at: DefaultTimestamp;
}

export interface UsageTable {
  user_id: string;
  day: ColumnType<string, string, string>;
  messages: Generated<number>;
  tokens: Generated<number>;
  cost_micro_usd: BigCount;
}

export interface MemoryTable {
  user_id: string;
  remember_topics: Generated<boolean>;
  topics: ColumnType<string[], string | undefined, string>;
  updated_at: DefaultTimestamp;
}

export interface ReferralsTable {
  day: string;
  category: SafetyCategory;
  locale: string;
  count: Generated<number>;
}

export interface CoachTables {
  ai_coach_conversations: ConversationsTable;
  ai_coach_messages: MessagesTable;
  ai_coach_usage: UsageTable;
  ai_coach_memory: MemoryTable;
  ai_coach_referrals: ReferralsTable;
}

export type CoachDb = Kysely<CoachTables>;
export type CoachTrx = Transaction<CoachTables>;

export const titleContext = (id: string) => `ai_coach_conversations.title:${id}`;
export const contentContext = (id: string) => `ai_coach_messages.content:${id}`;
