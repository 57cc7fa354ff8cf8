import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { coachService } from '../../src/modules/ai-coach/index.ts';
import { MODULES } from '../../src/modules/index.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { makeCouple } from '../support/love-notes.ts';
import { as, newUserId, testAuth } from '../support/test-auth.ts';

describe('ai coach: conversations, privacy, encryption, personal data (offline coach)', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ COACH_FREE_DAILY_MESSAGES: '3' }, { routes: testAuth });
  });
  after(() => t.close());

  const call = (userId: string, method: 'GET' | 'POST' | 'DELETE' | 'PATCH', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: as(userId), ...(payload ? { payload } : {}) });
  const start = async (userId: string, payload: object = {}) => {
    const res = await call(userId, 'POST', '/v1/coach/conversations', payload);
    assert.equal(res.statusCode, 201, res.body);
    return res.json().data as { conversation: { id: string }; disclosure: { content: string; kind: string } };
  };

  it('opens a conversation with the AI disclosure and answers with the offline coach by default', async () => {
    const user = newUserId();
    const { conversation, disclosure } = await start(user, { title: 'Our fights' });
    assert.equal(disclosure.kind, 'disclosure');
    assert.match(disclosure.content, /I am an AI, not a person and not a therapist/);
    const res = await call(user, 'POST', `/v1/coach/conversations/${conversation.id}/messages`, {
      content: 'We keep having the same fight about the dishes and I end up shouting.',
    });
    assert.equal(res.statusCode, 200, res.body);
    const reply = res.json().data;
    assert.equal(reply.provider, 'offline');
    assert.match(reply.content, /^I am the offline coach/);
    assert.match(reply.content, /\?$/, 'it ends with a follow-up question');
    assert.deepEqual(reply.safety, { crisis: false, category: null });
    assert.equal(reply.sources[0].kind, 'exercise');
    assert.ok(reply.usage.outputTokens > 0);
    const messages = (await call(user, 'GET', `/v1/coach/conversations/${conversation.id}/messages`)).json()
      .data;
    assert.deepEqual(
      messages.map((m: { kind: string }) => m.kind),
      ['reply', 'message', 'disclosure'],
    );
    const list = (await call(user, 'GET', '/v1/coach/conversations')).json().data;
    assert.deepEqual(
      list.map((c: { id: string; title: string }) => [c.id, c.title]),
      [[conversation.id, 'Our fights']],
    );
  });

  it('stores messages and titles encrypted at rest', async () => {
    const user = newUserId();
    const { conversation } = await start(user, { title: 'secret title' });
    await call(user, 'POST', `/v1/coach/conversations/${conversation.id}/messages`, {
      content: 'my plaintext secret',
    });
    const db = t.platform.database.db;
    const rows = await db
      .selectFrom('ai_coach_messages' as never)
      .select(['content' as never])
      .where('conversation_id' as never, '=', conversation.id as never)
      .execute();
    assert.equal(rows.length, 3);
    for (const row of rows as { content: string }[]) {
      assert.match(row.content, /^v1\./);
      assert.ok(!row.content.includes('secret'));
      assert.ok(!row.content.includes('offline'));
    }
    const title = (await db
      .selectFrom('ai_coach_conversations' as never)
      .select(['title' as never])
      .where('id' as never, '=', conversation.id as never)
      .executeTakeFirstOrThrow()) as { title: string };
    assert.ok(!title.title.includes('secret'));
  });

  it("keeps a partner out of the other's private conversations, and lets them read a shared one", async () => {
    const { a, b } = await makeCouple(t);
    const secret = (await start(a)).conversation.id;
    const shared = (await start(a, { shared: true })).conversation.id;
    assert.equal((await call(b, 'GET', `/v1/coach/conversations/${secret}/messages`)).statusCode, 404);
    assert.equal((await call(b, 'DELETE', `/v1/coach/conversations/${secret}`)).statusCode, 404);
    assert.equal(
      (await call(b, 'POST', `/v1/coach/conversations/${secret}/messages`, { content: 'hi' })).statusCode,
      404,
    );
    const listed = (await call(b, 'GET', '/v1/coach/conversations')).json().data;
    assert.deepEqual(
      listed.map((c: { id: string; owner: string }) => [c.id, c.owner]),
      [[shared, 'partner']],
    );
    assert.equal((await call(b, 'GET', `/v1/coach/conversations/${shared}/messages`)).statusCode, 200);
    // Read-only: the partner cannot write to or delete a shared conversation.
    assert.equal(
      (await call(b, 'POST', `/v1/coach/conversations/${shared}/messages`, { content: 'hi' })).statusCode,
      404,
    );
    assert.equal((await call(b, 'DELETE', `/v1/coach/conversations/${shared}`)).statusCode, 404);
    // A stranger sees nothing.
    assert.equal(
      (await call(newUserId(), 'GET', `/v1/coach/conversations/${shared}/messages`)).statusCode,
      404,
    );
  });

  it('deletes a conversation with its messages', async () => {
    const user = newUserId();
    const { conversation } = await start(user);
    assert.equal((await call(user, 'DELETE', `/v1/coach/conversations/${conversation.id}`)).statusCode, 204);
    assert.equal(
      (await call(user, 'GET', `/v1/coach/conversations/${conversation.id}/messages`)).statusCode,
      404,
    );
    assert.equal((await call(user, 'DELETE', `/v1/coach/conversations/${conversation.id}`)).statusCode, 404);
  });

  it('pages messages with a cursor', async () => {
    const user = newUserId();
    const { conversation } = await start(user);
    await call(user, 'POST', `/v1/coach/conversations/${conversation.id}/messages`, {
      content: 'hello coach',
    });
    const first = (
      await call(user, 'GET', `/v1/coach/conversations/${conversation.id}/messages?limit=2`)
    ).json();
    assert.equal(first.data.length, 2);
    assert.ok(first.meta.nextCursor);
    const second = (
      await call(
        user,
        'GET',
        `/v1/coach/conversations/${conversation.id}/messages?limit=2&cursor=${first.meta.nextCursor}`,
      )
    ).json();
    assert.deepEqual(
      second.data.map((m: { kind: string }) => m.kind),
      ['disclosure'],
    );
    assert.equal(second.meta.nextCursor, null);
    assert.equal(
      (await call(user, 'GET', `/v1/coach/conversations/${conversation.id}/messages?cursor=nope`)).statusCode,
      400,
    );
  });

  it('refuses bad input without changing anything', async () => {
    const user = newUserId();
    const { conversation } = await start(user);
    const url = `/v1/coach/conversations/${conversation.id}/messages`;
    for (const payload of [
      {},
      { content: '' },
      { content: '   ' },
      { content: 5 },
      { content: 'hi', extra: 1 },
      { content: 'x'.repeat(4001) },
    ]) {
      const res = await call(user, 'POST', url, payload);
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
      assert.equal(res.json().errors[0].code, 'VALIDATION_ERROR');
    }
    assert.equal((await call(user, 'POST', '/v1/coach/conversations', { shared: 'yes' })).statusCode, 400);
    assert.equal((await call(user, 'GET', '/v1/coach/conversations/not-a-uuid/messages')).statusCode, 400);
    assert.equal((await call(user, 'GET', url)).json().data.length, 1);
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/coach/conversations' })).statusCode, 401);
  });

  it('exports and erases what it holds about a person', async () => {
    const user = newUserId();
    const { conversation } = await start(user, { title: 'mine' });
    await call(user, 'POST', `/v1/coach/conversations/${conversation.id}/messages`, { content: 'export me' });
    const coach = MODULES.find((m) => m.name === 'ai-coach')!;
    const exported = (await coach.personalData!.export(t.platform, user)) as {
      conversations: { title: string; messages: { content: string }[] }[];
      usage: { messages: number }[];
    };
    assert.equal(exported.conversations[0]!.title, 'mine');
    assert.ok(exported.conversations[0]!.messages.some((m) => m.content === 'export me'));
    assert.equal(exported.usage[0]!.messages, 1);
    await coach.personalData!.erase(t.platform, user);
    const after = (await coach.personalData!.export(t.platform, user)) as {
      conversations: unknown[];
      usage: unknown[];
    };
    assert.deepEqual(after.conversations, []);
    assert.deepEqual(after.usage, []);
  });
  it('enforces the free daily message budget with 429 and the reset time, but never for a crisis', async () => {
    const user = newUserId();
    const { conversation } = await start(user);
    const url = `/v1/coach/conversations/${conversation.id}/messages`;
    for (let i = 0; i < 3; i++)
      assert.equal((await call(user, 'POST', url, { content: `hello ${i}` })).statusCode, 200);
    const refused = await call(user, 'POST', url, { content: 'one more' });
    assert.equal(refused.statusCode, 429);
    assert.equal(refused.json().errors[0].code, 'RATE_LIMITED');
    const reset = new Date(
      Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 1),
    );
    assert.match(refused.json().errors[0].message, new RegExp(reset.toISOString().replace(/[.]/g, '\\.')));
    const retryAfter = Number(refused.headers['retry-after']);
    assert.ok(retryAfter > 0 && retryAfter <= 86_400);
    const count = async () => (await call(user, 'GET', `${url}?limit=100`)).json().data.length;
    assert.equal(await count(), 7, 'the refused message was not stored');
    const crisis = await call(user, 'POST', url, { content: 'I want to end my life' });
    assert.equal(crisis.statusCode, 200);
    assert.deepEqual(crisis.json().data.safety, { crisis: true, category: 'self-harm' });
    assert.match(crisis.json().data.content, /988/);
    // Premium (the isPremium port) has its own, larger budget.
    const premium = coachService(t.platform, { isPremium: async (_p, id) => id === user });
    const reply = await premium.send(user, conversation.id, 'and now?');
    assert.equal(reply.provider, 'offline');
  });

  it('refuses past the daily token budget too', async () => {
    const user = newUserId();
    const { conversation } = await start(user);
    await sql`insert into ai_coach_usage (user_id, day, tokens) values (${user}, ${new Date().toISOString().slice(0, 10)}, 20000)`.execute(
      t.platform.database.db,
    );
    const res = await call(user, 'POST', `/v1/coach/conversations/${conversation.id}/messages`, {
      content: 'hi',
    });
    assert.equal(res.statusCode, 429);
    assert.match(res.json().errors[0].message, /20000 tokens/);
  });

  it('builds memory from the couple and profile, remembers topics only when allowed, and clears them', async () => {
    const { a } = await makeCouple(t);
    await call(a, 'PATCH', '/v1/users/me', { loveLanguages: ['quality-time'] });
    const { conversation } = await start(a);
    const url = `/v1/coach/conversations/${conversation.id}/messages`;
    await call(a, 'POST', url, { content: 'We fight about money and debt.' });
    let memory = (await call(a, 'GET', '/v1/coach/memory')).json().data;
    assert.equal(memory.rememberTopics, false);
    assert.deepEqual(memory.topics, [], 'nothing remembered without consent');
    assert.equal(memory.relationshipDays, 0);
    assert.deepEqual(memory.loveLanguages, ['quality-time']);
    assert.match(memory.summary, /In a relationship for 0 days\. Love languages: quality-time\./);
    assert.equal((await call(a, 'PATCH', '/v1/coach/memory', { rememberTopics: true })).statusCode, 200);
    await call(a, 'POST', url, { content: 'We fight about money and debt.' });
    memory = (await call(a, 'GET', '/v1/coach/memory')).json().data;
    assert.deepEqual(memory.topics, ['money']);
    assert.equal((await call(a, 'DELETE', '/v1/coach/memory')).statusCode, 204);
    assert.deepEqual((await call(a, 'GET', '/v1/coach/memory')).json().data.topics, []);
    assert.equal((await call(a, 'PATCH', '/v1/coach/memory', { rememberTopics: 'yes' })).statusCode, 400);
  });

  it('suggests love notes, date ideas and conversation starters (offline lists)', async () => {
    const user = newUserId();
    const notes = await call(user, 'POST', '/v1/coach/suggestions/love-note', {
      tone: 'playful',
      occasion: 'anniversary',
    });
    assert.equal(notes.statusCode, 200, notes.body);
    assert.equal(notes.json().data.items.length, 3);
    assert.ok(notes.json().data.items.every((n: string) => n.startsWith('Happy anniversary.')));
    const dates = await call(user, 'POST', '/v1/coach/suggestions/date-ideas', {
      budget: 'free',
      setting: 'outdoor',
      city: 'Lyon',
    });
    assert.equal(dates.json().data.items.length, 3);
    const starters = await call(user, 'POST', '/v1/coach/suggestions/conversation-starters', {
      depth: 'deep',
    });
    assert.equal(starters.json().data.items.length, 4);
    for (const [url, payload] of [
      ['/v1/coach/suggestions/love-note', { tone: 'angry', occasion: 'everyday' }],
      ['/v1/coach/suggestions/love-note', { tone: 'playful', occasion: 'everyday', extra: true }],
      ['/v1/coach/suggestions/date-ideas', { budget: 5, setting: 'indoor' }],
    ] as const) {
      assert.equal((await call(user, 'POST', url, payload)).statusCode, 400);
    }
  });
});
