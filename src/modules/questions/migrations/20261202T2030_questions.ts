import { type Kysely, sql } from 'kysely';

/**
 * The question each couple got on each of their days, and each partner's
 * answer (encrypted) and guess of the other's answer. Couple-scoped: couple_id
 * leads every key. `cycle` counts passes through the bank: a question comes
 * back only in a later cycle, once every other one was asked.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table questions_days (
      couple_id uuid not null,
      day date not null,
      question_id text not null,
      cycle integer not null,
      created_at timestamptz not null default now(),
      primary key (couple_id, day),
      unique (couple_id, cycle, question_id)
    )`.execute(db);

  await sql`
    create table questions_answers (
      couple_id uuid not null,
      day date not null,
      user_id uuid not null,
      id uuid not null,
      answer text not null,
      answered_at timestamptz not null default now(),
      primary key (couple_id, day, user_id)
    )`.execute(db);
  await sql`create index questions_answers_user on questions_answers (user_id)`.execute(db);

  await sql`
    create table questions_guesses (
      couple_id uuid not null,
      day date not null,
      guesser_id uuid not null,
      guess text not null,
      guessed_at timestamptz not null default now(),
      correct boolean,
      judged_at timestamptz,
      primary key (couple_id, day, guesser_id)
    )`.execute(db);
  await sql`create index questions_guesses_user on questions_guesses (guesser_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists questions_guesses`.execute(db);
  await sql`drop table if exists questions_answers`.execute(db);
  await sql`drop table if exists questions_days`.execute(db);
}
