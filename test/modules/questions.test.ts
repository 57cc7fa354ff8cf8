import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { RULES } from '../../src/modules/notifications/catalog.ts';
import { bankOf, CATEGORIES, shippedBank } from '../../src/modules/questions/bank.ts';
import { questionsContext, questionsModule } from '../../src/modules/questions/index.ts';
import { answerToday, getToday, history } from '../../src/modules/questions/service.ts';
import { publish } from '../../src/platform/bus/publish.ts';
import type { AuthUser } from '../../src/platform/http/auth-context.ts';
import { hubFor } from '../../src/platform/realtime/live-hub.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { makeCouple } from '../support/love-notes.ts';
import { as, newUserId, testAuth } from '../support/test-auth.ts';

const userOf = (id: string): AuthUser => ({ id, role: 'user', sessionId: 'test' });

describe('questions: the shipped bank', () => {
  it('holds at least 1,000 distinct questions in known categories', () => {
    const { questions } = shippedBank();
    assert.ok(questions.length >= 1000, `${questions.length} questions`);
    assert.equal(new Set(questions.map((q) => q.id)).size, questions.length);
    const normalized = questions.map((q) => q.text.toLowerCase().replace(/[^a-z0-9]/g, ''));
    assert.equal(new Set(normalized).size, questions.length);
    for (const q of questions) {
      assert.ok((CATEGORIES as readonly string[]).includes(q.category), q.id);
      assert.match(q.text, /\?$/, q.id);
    }
    for (const category of CATEGORIES)
      assert.ok(questions.filter((q) => q.category === category).length >= 50);
  });
});

describe('questions (REST and service)', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({}, { routes: testAuth });
  });
  after(() => t.close());

  const call = (userId: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: as(userId), ...(payload ? { payload } : {}) });

  it('hides each answer from the partner until both answered; tells the partner (event and live)', async () => {
    const { a, b, coupleId } = await makeCouple(t);
    const heard: unknown[] = [];
    const stop = hubFor(t.platform).subscribe(b, (event) => heard.push(event));
    try {
      const first = await call(a, 'GET', '/v1/questions/today');
      assert.equal(first.statusCode, 200, first.body);
      const today = first.json().data;
      assert.equal((await call(b, 'GET', '/v1/questions/today')).json().data.question.id, today.question.id);

      const answered = await call(a, 'POST', '/v1/questions/today/answer', {
        answer: 'The way you laugh 😄',
      });
      assert.equal(answered.statusCode, 200, answered.body);
      assert.equal(answered.json().data.myAnswer, 'The way you laugh 😄');
      assert.equal(answered.json().data.partnerAnswer, null);
      const seenByB = (await call(b, 'GET', '/v1/questions/today')).json().data;
      assert.deepEqual(
        [seenByB.partnerAnswered, seenByB.partnerAnswer, seenByB.revealed],
        [true, null, false],
      );
      assert.equal(
        (await call(a, 'POST', '/v1/questions/today/answer', { answer: 'again' })).statusCode,
        409,
      );

      const both = (await call(b, 'POST', '/v1/questions/today/answer', { answer: 'Your kindness' })).json()
        .data;
      assert.deepEqual([both.partnerAnswer, both.revealed, both.streak], ['The way you laugh 😄', true, 1]);
      assert.equal((await call(a, 'GET', '/v1/questions/today')).json().data.partnerAnswer, 'Your kindness');

      const stored = await sql<{
        answer: string;
      }>`select answer from questions_answers where couple_id = ${coupleId}`.execute(t.platform.database.db);
      assert.equal(stored.rows.length, 2);
      for (const row of stored.rows)
        assert.ok(!row.answer.includes('laugh') && !row.answer.includes('kindness'));

      const events = await sql<{ data: Record<string, unknown> }>`select data from outbox_events
        where type = 'questions.answered' and data->>'coupleId' = ${coupleId} order by occurred_at`.execute(
        t.platform.database.db,
      );
      assert.deepEqual(
        events.rows.map((r) => [r.data.userId, r.data.partnerId, r.data.bothAnswered]),
        [
          [a, b, false],
          [b, a, true],
        ],
      );
      const specs = RULES['questions.answered']!({
        id: 'x',
        type: 'questions.answered',
        actorId: a,
        coupleId,
        data: events.rows[0]!.data,
      });
      assert.deepEqual(
        specs.map((s) => [s.userId, s.kind]),
        [[b, 'questions.partner-answered']],
      );
      // Through Redis when configured: the push arrives asynchronously.
      for (let i = 0; i < 100 && heard.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(heard.length, 1);
      assert.equal((heard[0] as { type: string }).type, 'questions.partner-answered');
    } finally {
      stop();
    }
  });

  it('refuses bad answers, and answers 409 without a partner and 401 without a caller', async () => {
    const { a } = await makeCouple(t);
    for (const payload of [
      {},
      { answer: '' },
      { answer: '   ' },
      { answer: 42 },
      { answer: 'x', extra: 1 },
      { answer: 'x'.repeat(2001) },
    ]) {
      const res = await call(a, 'POST', '/v1/questions/today/answer', payload);
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
    }
    assert.equal((await call(a, 'GET', '/v1/questions/today')).json().data.myAnswer, null);
    assert.equal((await call(newUserId(), 'GET', '/v1/questions/today')).statusCode, 409);
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/questions/today' })).statusCode, 401);
    assert.equal((await call(a, 'GET', '/v1/questions/history?cursor=eyJkYXkiOiJ4In0')).statusCode, 400);
  });

  it('never repeats a question until the bank is used up, then starts over', async () => {
    const { a, b } = await makeCouple(t);
    const bank = bankOf(
      ['q1', 'q2', 'q3', 'q4', 'q5'].map((id) => ({ id, category: 'fun', text: `Question ${id}?` })),
    );
    let now = new Date('2027-01-01T12:00:00Z');
    const ctx = questionsContext(t.platform, { bank, now: () => now });
    const asked: string[] = [];
    for (let day = 0; day < 12; day++) {
      now = new Date(Date.UTC(2027, 0, 1 + day, 12));
      const question = (await getToday(ctx, userOf(a))).question.id;
      // The same question for the partner and on a second look.
      assert.equal((await getToday(ctx, userOf(b))).question.id, question);
      assert.equal((await getToday(ctx, userOf(a))).question.id, question);
      asked.push(question);
    }
    assert.deepEqual([...asked.slice(0, 5)].sort(), ['q1', 'q2', 'q3', 'q4', 'q5']);
    assert.deepEqual([...asked.slice(5, 10)].sort(), ['q1', 'q2', 'q3', 'q4', 'q5']);
    assert.notEqual(asked[10], asked[11]);
  });

  it("follows the couple's time zone for the day, counts streaks and pages the history", async () => {
    const { a, b } = await makeCouple(t);
    // The couple's zone is the one of the partner whose id sorts first.
    const [first] = [a, b].sort() as [string, string];
    assert.equal(
      (await call(first, 'PATCH', '/v1/users/me', { timeZone: 'Pacific/Kiritimati' })).statusCode,
      200,
    );
    let now = new Date('2027-03-01T11:00:00Z');
    const ctx = questionsContext(t.platform, { now: () => now });
    // 11:00 UTC is already 1:00 the next day at UTC+14.
    const day1 = await getToday(ctx, userOf(a));
    assert.deepEqual([day1.day, day1.timeZone], ['2027-03-02', 'Pacific/Kiritimati']);
    const at = (day: number) => new Date(Date.UTC(2027, 2, day, 11));
    for (const day of [1, 2, 3]) {
      now = at(day);
      await answerToday(ctx, userOf(a), `a${day}`);
      await answerToday(ctx, userOf(b), `b${day}`);
    }
    assert.equal((await getToday(ctx, userOf(a))).streak, 3);
    now = at(4);
    await answerToday(ctx, userOf(a), 'a4');
    // Today is still open: the streak holds.
    assert.equal((await getToday(ctx, userOf(b))).streak, 3);
    now = at(6);
    assert.equal((await getToday(ctx, userOf(b))).streak, 0);

    const page1 = await history(ctx, userOf(b), { limit: 2 });
    assert.deepEqual(
      page1.items.map((d) => [d.day, d.myAnswer, d.partnerAnswer]),
      [
        ['2027-03-07', null, null],
        ['2027-03-05', null, null],
      ],
    );
    const page2 = await history(ctx, userOf(b), { limit: 2, cursor: page1.nextCursor ?? undefined });
    assert.deepEqual(
      page2.items.map((d) => [d.day, d.myAnswer, d.partnerAnswer]),
      [
        ['2027-03-04', 'b3', 'a3'],
        ['2027-03-03', 'b2', 'a2'],
      ],
    );
    const rest = await call(b, 'GET', '/v1/questions/history?limit=100');
    assert.equal(rest.statusCode, 200, rest.body);
    // Day 5 (a4 answered alone): my partner's answer stays hidden.
    const day5 = rest.json().data.find((d: { day: string }) => d.day === '2027-03-05');
    assert.deepEqual([day5.partnerAnswered, day5.partnerAnswer], [true, null]);
  });

  it('how well do you know me: guess before the reveal, judged by the partner, scored over time', async () => {
    const { a, b } = await makeCouple(t);
    const guess = await call(a, 'POST', '/v1/questions/quiz/today/guess', { guess: 'Pizza' });
    assert.equal(guess.statusCode, 200, guess.body);
    assert.equal(guess.json().data.quiz.mine, 'Pizza');
    assert.equal(
      (await call(a, 'POST', '/v1/questions/quiz/today/guess', { guess: 'Pasta' })).statusCode,
      409,
    );
    // Before the reveal my partner does not see my guess.
    assert.equal((await call(b, 'GET', '/v1/questions/today')).json().data.quiz.partners, null);
    await call(b, 'POST', '/v1/questions/today/answer', { answer: 'Pizza, obviously' });
    const day = (await call(a, 'POST', '/v1/questions/today/answer', { answer: 'Sushi' })).json().data.day;
    assert.equal(
      (await call(b, 'POST', '/v1/questions/quiz/today/guess', { guess: 'late' })).statusCode,
      409,
    );
    assert.equal((await call(b, 'GET', '/v1/questions/today')).json().data.quiz.partners, 'Pizza');
    // Only the one whose answer was guessed judges, once.
    assert.equal((await call(a, 'POST', '/v1/questions/quiz/judge', { day, correct: true })).statusCode, 404);
    const judged = await call(b, 'POST', '/v1/questions/quiz/judge', { day, correct: true });
    assert.equal(judged.statusCode, 200, judged.body);
    assert.equal(judged.json().data.quiz.partnersCorrect, true);
    assert.equal(
      (await call(b, 'POST', '/v1/questions/quiz/judge', { day, correct: false })).statusCode,
      409,
    );
    const mine = (await call(a, 'GET', '/v1/questions/quiz/score')).json().data;
    assert.deepEqual([mine.judged, mine.correct, mine.score, mine.partner.judged], [1, 1, 1, 0]);
    assert.deepEqual(mine.months, [{ month: day.slice(0, 7), judged: 1, correct: 1 }]);
    const theirs = (await call(b, 'GET', '/v1/questions/quiz/score')).json().data;
    assert.deepEqual([theirs.judged, theirs.score, theirs.partner.score], [0, null, 1]);
    assert.equal(
      (await call(b, 'POST', '/v1/questions/quiz/judge', { day: '2020-01-01', correct: true })).statusCode,
      404,
    );
    assert.equal(
      (await call(b, 'POST', '/v1/questions/quiz/judge', { day: 'not-a-day', correct: true })).statusCode,
      400,
    );
  });

  it("exports and erases a person's answers; a purged couple's days go", async () => {
    const { a, b, coupleId } = await makeCouple(t);
    await call(a, 'POST', '/v1/questions/today/answer', { answer: 'Mine to export' });
    await call(b, 'POST', '/v1/questions/today/answer', { answer: 'Hers' });
    const exported = (await questionsModule().personalData!.export(t.platform, a)) as {
      answers: Array<{ answer: string }>;
    };
    assert.deepEqual(
      exported.answers.map((x) => x.answer),
      ['Mine to export'],
    );
    await questionsModule().personalData!.erase(t.platform, a);
    const seen = (await call(b, 'GET', '/v1/questions/today')).json().data;
    assert.deepEqual([seen.myAnswer, seen.partnerAnswered], ['Hers', false]);
    const stopModule = await questionsModule().worker!(t.platform);
    const stopBus = await t.platform.bus.start();
    try {
      await publish(t.platform.database.db, 'couple.purged', { coupleId });
      const count = async () =>
        (
          await sql<{ n: number }>`select (select count(*) from questions_days where couple_id = ${coupleId})
            + (select count(*) from questions_answers where couple_id = ${coupleId}) as n`.execute(
            t.platform.database.db,
          )
        ).rows[0]?.n;
      const deadline = Date.now() + 15_000;
      while (Number(await count()) !== 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      assert.equal(Number(await count()), 0);
    } finally {
      await stopBus();
      await stopModule();
    }
  });

  it('replays a missed partner answer to a reconnecting client', async () => {
    const { a, b } = await makeCouple(t);
    const since = { at: new Date(Date.now() - 1000), id: '00000000-0000-0000-0000-000000000000' };
    await call(a, 'POST', '/v1/questions/today/answer', { answer: 'while you were away' });
    const missed = await questionsModule().live!.replay!(t.platform, b, since);
    assert.equal(missed.length, 1);
    const [event] = missed as Array<{ type: string; data: { bothAnswered: boolean } }>;
    assert.equal(event?.type, 'questions.partner-answered');
    assert.equal(event?.data.bothAnswered, false);
    assert.deepEqual(await questionsModule().live!.replay!(t.platform, a, since), []);
  });
});
