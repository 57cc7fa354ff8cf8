import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { DateTime } from 'luxon';
import { bankOf, shippedBank } from '../../src/modules/questions/bank.ts';
import { bankVersion, nextLocalMidnight } from '../../src/modules/questions/cache.ts';
import type { QuestionsContext } from '../../src/modules/questions/context.ts';
import { defaultDeps } from '../../src/modules/questions/dependencies.ts';
import { questionsPersonalData } from '../../src/modules/questions/personal-data.ts';
import { questionsRoutes } from '../../src/modules/questions/routes.ts';
import type { QuestionsDb } from '../../src/modules/questions/tables.ts';
import type { TestApp } from '../support/app.ts';
import { makeCouple } from '../support/love-notes.ts';
import {
  type CacheMode,
  freshWithin,
  read,
  readOk,
  settleMs,
  twoInstances,
  warmUntilHit,
} from '../support/response-cache.ts';
import { needs } from '../support/servers.ts';
import { as, testAuth } from '../support/test-auth.ts';

type Today = {
  day: string;
  myAnswer: string | null;
  partnerAnswered: boolean;
  partnerAnswer: string | null;
  revealed: boolean;
  streak: number;
  timeZone: string;
  quiz: { mine: string | null; mineCorrect: boolean | null };
};

describe('questions cache: pure parts', () => {
  it('ends "today" at the next local midnight of the zone, across DST', () => {
    const now = new Date('2027-03-01T22:59:58.500Z');
    const until = (at: Date, zone: string) => nextLocalMidnight(at, zone).getTime() - at.getTime();
    assert.equal(until(now, 'UTC'), 3_601_500);
    assert.equal(until(now, 'Europe/Berlin'), 1_500, '23:59:58.5 in Berlin');
    assert.equal(until(new Date('2027-03-01T00:00:00Z'), 'UTC'), 86_400_000);
    // Berlin's spring-forward day has 23 hours.
    assert.equal(until(new Date('2027-03-27T23:00:00Z'), 'Europe/Berlin'), 23 * 3_600_000);
  });

  it('gives another question bank another key variant', () => {
    const one = bankOf([{ id: 'q1', category: 'fun', text: 'One?' }]);
    const reworded = bankOf([{ id: 'q1', category: 'fun', text: 'One, reworded?' }]);
    assert.equal(bankVersion(one), bankVersion(bankOf([...one.questions])));
    assert.notEqual(bankVersion(one), bankVersion(reworded));
    assert.notEqual(bankVersion(shippedBank()), bankVersion(one));
  });
});

/**
 * GET /questions/today is cached per user. Every write is made on one instance
 * and checked on the other, against entries that were cached (a HIT) just
 * before: both partners' next day must be fresh. Without Redis, the other
 * instance hears of the invalidation through PostgreSQL NOTIFY, within moments.
 */
function suite(mode: CacheMode) {
  describe(
    `today's question in the response cache (${mode})`,
    mode === 'redis' ? needs('REDIS_URL') : {},
    () => {
      // The clocked route: the real questions routes under /v1/clocked, on a clock the test sets.
      let offsetMs = 0;
      // Test auth decorates every request of the app (fastify-plugin), so the clocked routes sit beside it.
      const clocked: FastifyPluginAsync = async (app) => {
        await app.register(testAuth);
        const ctx: QuestionsContext = {
          get platform() {
            return apps.one.platform;
          },
          get db() {
            return apps.one.platform.database.db as QuestionsDb;
          },
          deps: defaultDeps,
          bank: shippedBank(),
          live: { answered: () => {} },
          now: () => new Date(Date.now() + offsetMs),
        };
        await app.register(questionsRoutes, { ctx, prefix: '/clocked' });
      };
      const clockedRoot = fp(clocked, { name: 'clocked-questions' });
      const apps = twoInstances(mode, { routesOfOne: clockedRoot });

      const get = (app: TestApp, user: string, url = '/v1/questions/today') => read<Today>(app, user, url);
      const today = (app: TestApp, user: string) => readOk<Today>(app, user, '/v1/questions/today');
      const post = async (
        app: TestApp,
        user: string,
        url: string,
        payload: object,
        method: 'POST' | 'PATCH' = 'POST',
      ) => {
        const res = await app.app.inject({ method, url, headers: as(user), payload });
        assert.equal(res.statusCode, 200, res.body);
        return res.json().data;
      };
      /** Caches the users' day on `app`: the second read must be a hit. */
      const warm = async (app: TestApp, ...users: string[]) => {
        for (const user of users)
          await warmUntilHit(() => today(app, user), settleMs(mode), `the day of ${user} is cached`);
      };
      /**
       * The day `user` is shown on `app` after a write on the other instance: at once with Redis,
       * within moments without (NOTIFY). Never the entry cached before: the TTL is a minute.
       */
      const fresh = async (app: TestApp, user: string, check: (day: Today) => boolean, what: string) =>
        freshWithin(async () => (await today(app, user)).data, check, settleMs(mode), what);

      it('serves a hit while nothing changes, and both partners fresh after each answer', async () => {
        const { one, two } = apps;
        const { a, b } = await makeCouple(one);
        await warm(two, a, b);
        assert.equal((await today(two, a)).cache, 'HIT');
        await post(one, a, '/v1/questions/today/answer', { answer: 'Your laugh' });
        await fresh(two, a, (d) => d.myAnswer === 'Your laugh', "a's own answer");
        await fresh(two, b, (d) => d.partnerAnswered && d.partnerAnswer === null, 'b sees that a answered');

        await warm(one, a, b);
        // The partner's answer reveals both, and makes the streak.
        await post(two, b, '/v1/questions/today/answer', { answer: 'Your kindness' });
        const seenByA = await fresh(one, a, (d) => d.revealed, 'a sees the reveal');
        assert.deepEqual([seenByA.partnerAnswer, seenByA.streak], ['Your kindness', 1]);
        await fresh(one, b, (d) => d.revealed && d.myAnswer === 'Your kindness', "b's own answer");
      });

      it('shows a guess and its judgement fresh to both partners', async () => {
        const { one, two } = apps;
        const { a, b } = await makeCouple(one);
        await warm(two, a, b);
        await post(one, a, '/v1/questions/quiz/today/guess', { guess: 'Pizza' });
        await fresh(two, a, (d) => d.quiz.mine === 'Pizza', "a's guess");
        await post(one, a, '/v1/questions/today/answer', { answer: 'Pasta' });
        await post(one, b, '/v1/questions/today/answer', { answer: 'Pizza' });
        const { day } = await fresh(two, a, (d) => d.revealed, 'revealed');
        await warm(two, a, b);
        await post(one, b, '/v1/questions/quiz/judge', { day, correct: true });
        await fresh(two, a, (d) => d.quiz.mineCorrect === true, "b's judgement of a's guess");
      });

      it("follows a partner's time zone change, unlinking and an erasure on every instance", async () => {
        const { one, two } = apps;
        const { a, b } = await makeCouple(one);
        // The couple's day is in the zone of the partner whose id sorts first.
        const [first, second] = [a, b].sort() as [string, string];
        await warm(two, first, second);
        const zone = await post(one, first, '/v1/users/me', { timeZone: 'Pacific/Kiritimati' }, 'PATCH');
        assert.equal(zone.timeZone, 'Pacific/Kiritimati');
        await fresh(two, second, (d) => d.timeZone === 'Pacific/Kiritimati', "the partner's zone");
        await fresh(two, first, (d) => d.timeZone === 'Pacific/Kiritimati', 'the own zone');

        await post(one, a, '/v1/questions/today/answer', { answer: 'Mine' });
        await warm(two, b);
        assert.equal((await today(two, b)).data.partnerAnswered, true);
        await questionsPersonalData.erase(one.platform, a);
        await fresh(two, b, (d) => !d.partnerAnswered, "a's erased answer");

        await warm(two, a, b);
        const unlinked = await one.app.inject({ method: 'DELETE', url: '/v1/couples/me', headers: as(a) });
        assert.equal(unlinked.statusCode, 200, unlinked.body);
        for (const user of [a, b]) {
          await freshWithin(
            async () => (await get(two, user)).status,
            (s) => s === 409,
            settleMs(mode),
            'no day without a couple',
          );
        }
      });

      it('never serves yesterday after the local midnight', async () => {
        const { one } = apps;
        const { a } = await makeCouple(one);
        // The clock of the clocked route stands 1.2 s before midnight UTC (the couple's zone).
        const midnight = DateTime.utc().startOf('day').plus({ days: 1 }).toMillis();
        offsetMs = midnight - 1_200 - Date.now();
        const url = '/clocked/questions/today';
        const before = await get(one, a, url);
        assert.equal(before.status, 200, JSON.stringify(before.data));
        assert.equal((await get(one, a, url)).cache, 'HIT', 'cached until midnight');
        await new Promise((r) => setTimeout(r, 1_400));
        const after = await get(one, a, url);
        assert.notEqual(after.cache, 'HIT');
        assert.equal(
          after.data.day,
          DateTime.fromISO(before.data.day).plus({ days: 1 }).toISODate(),
          'the new day, not the cached one',
        );
      });
    },
  );
}

suite('memory');
suite('redis');
