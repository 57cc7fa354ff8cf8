import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { capCacheLifetime } from '../../platform/gateway/response-cache/plugin.ts';
import { callerOf, requireAuth } from '../../platform/http/auth.ts';
import { EnvelopedPage, ErrorAnswer, ErrorResponse } from '../../platform/http/envelope.ts';
import { bankVersion, todayCacheTags } from './cache.ts';
import type { QuestionsContext } from './context.ts';
import { guessToday, judge, score } from './quiz.ts';
import { AnswerBody, DayView, GuessBody, HistoryQuery, JudgeBody, Responses } from './schemas.ts';
import { answerToday, history, todayAndLifetime } from './service.ts';

const tags = ['questions'];
const security = [{ bearerAuth: [] }];
const errors = { '4xx': ErrorResponse };
/** Reads answer 409 too: questions need a partner. */
const readErrors = { ...errors, 409: ErrorAnswer };

/** REST routes under /v1/questions (signed in, in a couple); handlers only hand over to the services. */
export const questionsRoutes: FastifyPluginAsyncTypebox<{ ctx: QuestionsContext }> = async (app, { ctx }) => {
  app.addHook('onRequest', requireAuth);

  app.get(
    '/questions/today',
    {
      // Per user; every write that changes the day clears both partners' entries (cache.ts).
      config: {
        cache: {
          scope: 'private',
          ttlSeconds: 60,
          tags: (request) => todayCacheTags(callerOf(request).id),
          variant: bankVersion(ctx.bank),
        },
      },
      schema: {
        tags,
        security,
        operationId: 'questionOfToday',
        summary: "Today's question, my answer, and my partner's once both of us answered; our streak",
        response: { 200: Responses.today, ...readErrors },
      },
    },
    async (request) => {
      const { view, endsAt } = await todayAndLifetime(ctx, callerOf(request));
      // "Today" turns into tomorrow at the couple's local midnight: the entry ends there.
      capCacheLifetime(request, endsAt.getTime() - ctx.now().getTime());
      return view;
    },
  );

  app.post(
    '/questions/today/answer',
    {
      schema: {
        tags,
        security,
        operationId: 'answerQuestionOfToday',
        summary:
          "Answer today's question (once); my partner is told, and sees it when they have answered too",
        body: AnswerBody,
        response: { 200: Responses.today, ...errors },
      },
    },
    async (request) => answerToday(ctx, callerOf(request), request.body.answer),
  );

  app.get(
    '/questions/history',
    {
      config: { paginated: true },
      schema: {
        tags,
        security,
        operationId: 'questionHistory',
        summary: 'Our past questions and answers, newest first (a partner’s answer only where both answered)',
        querystring: HistoryQuery,
        response: { 200: EnvelopedPage(DayView), ...readErrors },
      },
    },
    async (request) => history(ctx, callerOf(request), request.query),
  );

  app.post(
    '/questions/quiz/today/guess',
    {
      schema: {
        tags,
        security,
        operationId: 'guessPartnerAnswer',
        summary: "How well do you know me: guess my partner's answer to today's question, before the reveal",
        body: GuessBody,
        response: { 200: Responses.today, ...errors },
      },
    },
    async (request) => guessToday(ctx, callerOf(request), request.body.guess),
  );

  app.post(
    '/questions/quiz/judge',
    {
      schema: {
        tags,
        security,
        operationId: 'judgePartnerGuess',
        summary: 'Say whether my partner guessed my answer of that day right (once both answered; once)',
        body: JudgeBody,
        response: { 200: Responses.day, ...errors },
      },
    },
    async (request) => judge(ctx, callerOf(request), request.body.day, request.body.correct),
  );

  app.get(
    '/questions/quiz/score',
    {
      schema: {
        tags,
        security,
        operationId: 'quizScore',
        summary: 'Our match scores: how often each of us guessed the other right, and mine month by month',
        response: { 200: Responses.score, ...readErrors },
      },
    },
    async (request) => score(ctx, callerOf(request)),
  );
};
