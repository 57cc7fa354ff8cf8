import { type Kysely, sql } from 'kysely';

/**
 * The AI coach's tables, all user-scoped (user_id leads every primary key).
 * Message bodies and conversation titles are ciphertext (platform field
 * encryption); referrals hold counts only, never a person or a text.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table ai_coach_conversations (
      user_id uuid not null,
      id uuid not null,
      title text,
      shared boolean not null default false,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (user_id, id)
    )`.execute(db);
  // A conversation is found by id alone (a partner reading a shared one).
  await sql`create index ai_coach_conversations_id on ai_coach_conversations (id)`.execute(db);
  await sql`
    create table ai_coach_messages (
      user_id uuid not null,
      conversation_id uuid not null,
      id uuid not null,
      role text not null check (role in ('user', 'assistant')),
      kind text not null default 'reply' check (kind in ('message', 'reply', 'disclosure', 'crisis', 'refusal')),
      content text not null,
      status text not null default 'complete' check (status in ('complete', 'cancelled', 'interrupted')),
      provider text,
      model text,
      input_tokens integer not null default 0,
      output_tokens integer not null default 0,
      cost_micro_usd bigint not null default 0,
      safety_crisis boolean not null default false,
      safety_category text check (safety_category in ('self-harm', 'harm-to-others', 'abuse')),
      sources jsonb not null default '[]',
      created_at timestamptz not null default now(),
      primary key (user_id, conversation_id, id),
      foreign key (user_id, conversation_id) references ai_coach_conversations (user_id, id) on delete cascade
    )`.execute(db);
  await sql`
    create table ai_coach_usage (
      user_id uuid not null,
      day date not null,
      messages integer not null default 0,
      tokens integer not null default 0,
      cost_micro_usd bigint not null default 0,
      primary key (user_id, day)
    )`.execute(db);
  await sql`
    create table ai_coach_memory (
      user_id uuid primary key,
      remember_topics boolean not null default true,
      topics jsonb not null default '[]',
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`
    create table ai_coach_referrals (
      day date not null,
      category text not null,
      locale text not null,
      count integer not null default 0,
      primary key (day, category, locale)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists ai_coach_referrals`.execute(db);
  await sql`drop table if exists ai_coach_memory`.execute(db);
  await sql`drop table if exists ai_coach_usage`.execute(db);
  await sql`drop table if exists ai_coach_messages`.execute(db);
  await sql`drop table if exists ai_coach_conversations`.execute(db);
}
