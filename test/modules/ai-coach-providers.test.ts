import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../support/app.ts';
import { as, eventually, newUserId, testAuth } from '../support/test-auth.ts';
import {
  DEFAULT_CHUNKS,
  type FakeProviders,
  parseSse,
  startFakeProviders,
} from './ai-coach-fake-providers.ts';

/**
 * The coach on real provider SDKs (openai, @anthropic-ai/sdk) pointed at a
 * local fake of both APIs, end to end through the HTTP API: streaming relay,
 * cancellation, retries, fallback to the next provider and to the offline
 * coach, usage and cost, moderation, the crisis path, and a self-hosted
 * OpenAI-compatible server (base URL and model, no key).
 */
describe('ai coach on provider SDKs against a fake OpenAI/Anthropic server', () => {
  let fake: FakeProviders;
  let t: TestApp;
  let base: string;
  before(async () => {
    fake = await startFakeProviders();
    t = await createTestApp(
      {
        COACH_PROVIDERS: 'openai,anthropic',
        OPENAI_API_KEY: 'sk-test-openai',
        OPENAI_BASE_URL: fake.openaiURL,
        OPENAI_MODEL: 'gpt-test',
        OPENAI_PRICE: '2,8',
        ANTHROPIC_API_KEY: 'sk-ant-test',
        ANTHROPIC_BASE_URL: fake.anthropicURL,
        ANTHROPIC_MODEL: 'claude-test',
        ANTHROPIC_PRICE: '3,15',
        COACH_MAX_RETRIES: '1',
        COACH_TIMEOUT_MS: '3000',
        // This app tests fallback, not the breaker (below, on its own app).
        COACH_BREAKER_ERROR_PERCENT: '100',
        COACH_BREAKER_RESET_MS: '100',
      },
      { routes: testAuth },
    );
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await t.close();
    await fake.close();
  });

  const conversation = async (userId: string) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/coach/conversations',
      headers: as(userId),
      payload: {},
    });
    return res.json().data.conversation.id as string;
  };
  const send = (userId: string, id: string, content: string) =>
    t.app.inject({
      method: 'POST',
      url: `/v1/coach/conversations/${id}/messages`,
      headers: as(userId),
      payload: { content },
    });
  const stream = async (userId: string, id: string, content: string) => {
    const res = await fetch(`${base}/v1/coach/conversations/${id}/messages`, {
      method: 'POST',
      headers: { ...as(userId), accept: 'text/event-stream', 'content-type': 'application/json' },
      body: JSON.stringify({ content }),
    });
    return { res, events: parseSse(await res.text()) };
  };
  const storedReply = async (messageId: string) =>
    (
      await sql<{
        content: string;
        status: string;
        provider: string;
        input_tokens: number;
        output_tokens: number;
        cost_micro_usd: string;
      }>`select content, status, provider, input_tokens, output_tokens, cost_micro_usd from ai_coach_messages where id = ${messageId}`.execute(
        t.platform.database.db,
      )
    ).rows[0];

  it('relays the OpenAI stream as server-sent events and records usage and cost', async () => {
    const user = newUserId();
    const id = await conversation(user);
    const before = fake.requests.length;
    fake.script('openai', {
      chunks: ['Try ', 'a ', 'soft ', 'start-up. ', 'What ', 'happened?'],
      usage: { input: 120, output: 6 },
    });
    const { res, events } = await stream(user, id, 'We argue every evening about chores.');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const deltas = events.filter((e) => e.event === 'delta').map((e) => (e.data as { text: string }).text);
    assert.equal(deltas.join(''), 'Try a soft start-up. What happened?');
    assert.ok(deltas.length >= 3, 'streamed in several deltas');
    const done = events.at(-1)!;
    assert.equal(done.event, 'done');
    const data = done.data as {
      messageId: string;
      provider: string;
      usage: Record<string, number>;
      sources: { kind: string }[];
      safety: unknown;
    };
    assert.equal(data.provider, 'openai');
    assert.deepEqual(data.usage, { inputTokens: 120, outputTokens: 6, costMicroUsd: 120 * 2 + 6 * 8 });
    assert.deepEqual(data.safety, { crisis: false, category: null });
    assert.equal(data.sources[0]!.kind, 'exercise');
    // The real SDK called the fake: key, model, system rules and the user's words.
    const request = fake.requests.slice(before).find((r) => r.api === 'openai')!;
    assert.equal(request.headers.authorization, 'Bearer sk-test-openai');
    assert.equal(request.body.model, 'gpt-test');
    assert.equal(request.body.stream, true);
    const messages = request.body.messages as { role: string; content: string }[];
    assert.equal(messages[0]!.role, 'system');
    assert.match(messages[0]!.content, /Never diagnose/);
    assert.equal(messages.at(-1)!.content, 'We argue every evening about chores.');
    const row = await storedReply(data.messageId);
    assert.equal(row?.status, 'complete');
    assert.equal(row?.input_tokens, 120);
    assert.equal(Number(row?.cost_micro_usd), 288);
    assert.match(row!.content, /^v1\./);
    const usage = await sql<{ messages: number; tokens: number; cost_micro_usd: string }>`
      select messages, tokens, cost_micro_usd from ai_coach_usage where user_id = ${user}`.execute(
      t.platform.database.db,
    );
    assert.deepEqual(
      usage.rows.map((r) => [r.messages, r.tokens, Number(r.cost_micro_usd)]),
      [[1, 126, 288]],
    );
  });

  it('retries a 429 on the same provider (the SDK retry), then streams', async () => {
    const user = newUserId();
    const id = await conversation(user);
    const before = fake.requests.length;
    fake.script('openai', { status: 429 }, {});
    const res = await send(user, id, 'How do we spend more time together?');
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().data.provider, 'openai');
    assert.equal(res.json().data.content, DEFAULT_CHUNKS.join(''));
    assert.deepEqual(
      fake.requests.slice(before).map((r) => r.api),
      ['openai', 'openai'],
    );
  });

  it('falls back to Anthropic when OpenAI keeps failing, with Anthropic usage', async () => {
    const user = newUserId();
    const id = await conversation(user);
    const before = fake.requests.length;
    fake.script('openai', { status: 500 }, { status: 500 });
    fake.script('anthropic', {
      chunks: ['Claude ', 'here. ', 'How ', 'are ', 'you?'],
      usage: { input: 50, output: 5 },
    });
    const res = await send(user, id, 'My partner never listens to me.');
    assert.equal(res.statusCode, 200, res.body);
    const reply = res.json().data;
    assert.equal(reply.provider, 'anthropic');
    assert.equal(reply.model, 'claude-test');
    assert.equal(reply.content, 'Claude here. How are you?');
    assert.deepEqual(reply.usage, { inputTokens: 50, outputTokens: 5, costMicroUsd: 50 * 3 + 5 * 15 });
    assert.deepEqual(
      fake.requests.slice(before).map((r) => r.api),
      ['openai', 'openai', 'anthropic'],
    );
    const anthropic = fake.requests.at(-1)!;
    // The SDK sends its key as x-api-key or (newer versions) as a bearer token.
    assert.match(String(anthropic.headers['x-api-key'] ?? anthropic.headers.authorization), /sk-ant-test/);
    assert.match(String(anthropic.body.system), /Never diagnose/);
  });

  it('falls back to the offline coach when every provider fails', async () => {
    const user = newUserId();
    const id = await conversation(user);
    fake.script('openai', { status: 500 }, { status: 503 });
    fake.script('anthropic', { status: 429 }, { status: 500 });
    const res = await send(user, id, 'I feel lonely even when we are together.');
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().data.provider, 'offline');
    assert.match(res.json().data.content, /offline coach/);
  });

  it('keeps what was streamed when the provider drops the connection mid-stream', async () => {
    const user = newUserId();
    const id = await conversation(user);
    fake.script('openai', { chunks: ['First ', 'part ', 'then ', 'gone'], dropAfter: 2 });
    const { events } = await stream(user, id, 'Can you help us talk better?');
    const text = events
      .filter((e) => e.event === 'delta')
      .map((e) => (e.data as { text: string }).text)
      .join('');
    assert.equal(text, 'First part ');
    const done = events.at(-1)!.data as { messageId: string; status: string; provider: string };
    assert.equal(done.status, 'interrupted');
    assert.equal(done.provider, 'openai');
    assert.equal((await storedReply(done.messageId))?.status, 'interrupted');
  });

  it('keeps an Anthropic reply that drops mid-stream as interrupted (no fallback after the first token)', async () => {
    const user = newUserId();
    const id = await conversation(user);
    fake.script('openai', { status: 500 }, { status: 500 });
    fake.script('anthropic', { chunks: ['Half ', 'a ', 'thought'], dropAfter: 2 });
    const before = fake.requests.length;
    const reply = (await send(user, id, 'How do I apologise well?')).json().data;
    assert.equal(reply.provider, 'anthropic');
    assert.equal(reply.status, 'interrupted');
    assert.equal(reply.content, 'Half a ');
    assert.deepEqual(
      fake.requests.slice(before).map((r) => r.api),
      ['openai', 'openai', 'anthropic'],
    );
  });

  it('times out a provider that sends no first token, and one that stalls mid-reply', async () => {
    const user = newUserId();
    const id = await conversation(user);
    // COACH_TIMEOUT_MS is 3000 here: the stalled OpenAI stream is aborted, Anthropic answers.
    const stalled = fake.nextCancel();
    fake.script('openai', { firstDelayMs: 5000 });
    fake.script('anthropic', { chunks: ['On ', 'time.'] });
    const started = Date.now();
    const first = (await send(user, id, 'Are you there?')).json().data;
    assert.equal(first.provider, 'anthropic');
    assert.equal(first.content, 'On time.');
    assert.ok(Date.now() - started >= 2900, 'waited for the timeout');
    await stalled;
    // A gap longer than the timeout after the first token ends the reply.
    fake.script('openai', { chunks: ['Quick ', 'start ', 'then ', 'silence'], delayMs: 5000 });
    const second = (await send(user, id, 'Still there?')).json().data;
    assert.equal(second.provider, 'openai');
    assert.equal(second.status, 'interrupted');
    assert.equal(second.content, 'Quick ');
  });

  it('stops the provider call when the client closes the stream', async () => {
    const user = newUserId();
    const id = await conversation(user);
    fake.script('openai', { chunks: Array.from({ length: 100 }, (_, i) => `word${i} `), delayMs: 30 });
    const cancelled = fake.nextCancel();
    const controller = new AbortController();
    const res = await fetch(`${base}/v1/coach/conversations/${id}/messages`, {
      method: 'POST',
      headers: { ...as(user), accept: 'text/event-stream', 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'Tell me a long story about us.' }),
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    assert.match(first, /event: delta/);
    controller.abort();
    // The fake sees its stream closed long before its 100 chunks (3 s) were sent.
    await cancelled;
    const row = await eventually(async () => {
      const rows = await sql<{ status: string; content: string }>`
        select status, content from ai_coach_messages where user_id = ${user} and role = 'assistant' and kind = 'reply'`.execute(
        t.platform.database.db,
      );
      return rows.rows[0];
    });
    assert.equal(row.status, 'cancelled');
  });

  it('withholds provider output that fails the moderation check', async () => {
    const user = newUserId();
    const id = await conversation(user);
    fake.script('openai', {
      chunks: ['You ', 'could ', 'install ', 'a ', 'spyware ', 'app ', 'on ', 'her ', 'phone.'],
    });
    const res = await send(user, id, 'I want to feel secure with my girlfriend.');
    const content = res.json().data.content as string;
    assert.doesNotMatch(content, /spyware/);
    assert.match(content, /withheld by our safety check/);
  });

  it('writes suggestions with the provider, one per line, counted in usage', async () => {
    const user = newUserId();
    fake.script('openai', {
      chunks: [
        '1. You make ',
        'mornings better.\n',
        '2. Dinner on me tonight?\n',
        '- Still my favourite person.',
      ],
      usage: { input: 30, output: 20 },
    });
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/coach/suggestions/love-note',
      headers: as(user),
      payload: { tone: 'romantic', occasion: 'everyday' },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().data, {
      items: ['You make mornings better.', 'Dinner on me tonight?', 'Still my favourite person.'],
      provider: 'openai',
    });
    const usage = await sql<{ messages: number; tokens: number }>`
      select messages, tokens from ai_coach_usage where user_id = ${user}`.execute(t.platform.database.db);
    assert.deepEqual(usage.rows, [{ messages: 1, tokens: 50 }]);
  });

  it("pushes each stored reply to the owner's live connections, and replays it after a reconnect", {
    timeout: 20_000,
  }, async () => {
    const user = newUserId();
    const id = await conversation(user);
    const controller = new AbortController();
    const live = await fetch(`${base}/v1/realtime/sse`, { headers: as(user), signal: controller.signal });
    const reader = live.body!.getReader();
    const decoder = new TextDecoder();
    let seen = '';
    const until = async (marker: string) => {
      while (!seen.includes(marker)) seen += decoder.decode((await reader.read()).value, { stream: true });
    };
    await until(': ready');
    const reply = (await send(user, id, 'We want more time together.')).json().data;
    await until('event: coach.reply');
    await until(`"id":"${reply.messageId}"`);
    assert.match(seen, /"conversationId":"[0-9a-f-]{36}"/);
    controller.abort();
    // A reconnect from a minute ago gets the reply rebuilt from the table.
    const since = `${Date.now() - 60_000}_00000000-0000-0000-0000-000000000000`;
    const again = new AbortController();
    const replay = await fetch(`${base}/v1/realtime/sse`, {
      headers: { ...as(user), 'last-event-id': since },
      signal: again.signal,
    });
    const replayReader = replay.body!.getReader();
    let replayed = '';
    while (!replayed.includes(reply.messageId))
      replayed += decoder.decode((await replayReader.read()).value, { stream: true });
    assert.match(replayed, /event: coach\.reply/);
    again.abort();
  });

  it('answers a crisis message with fixed helplines in the user locale, without calling any provider', async () => {
    const user = newUserId();
    const id = await conversation(user);
    const profile = await t.app.inject({
      method: 'PATCH',
      url: '/v1/users/me',
      headers: as(user),
      payload: { locale: 'de-DE' },
    });
    assert.equal(profile.statusCode, 200, profile.body);
    const before = fake.requests.length;
    const { events } = await stream(user, id, 'Ich will nicht mehr leben.');
    assert.equal(fake.requests.length, before, 'no provider call');
    const text = events
      .filter((e) => e.event === 'delta')
      .map((e) => (e.data as { text: string }).text)
      .join('');
    assert.match(text, /TelefonSeelsorge: 0800 111 0 111/);
    const done = events.at(-1)!.data as { provider: string; safety: unknown; messageId: string };
    assert.deepEqual(done.safety, { crisis: true, category: 'self-harm' });
    assert.equal(done.provider, 'safety');
    const stored = await sql<{ safety_crisis: boolean; safety_category: string }>`
      select safety_crisis, safety_category from ai_coach_messages where user_id = ${user} and role = 'user'`.execute(
      t.platform.database.db,
    );
    assert.deepEqual(stored.rows, [{ safety_crisis: true, safety_category: 'self-harm' }]);
    const referrals = await sql<{ count: number }>`
      select count from ai_coach_referrals where category = 'self-harm' and locale = 'de'`.execute(
      t.platform.database.db,
    );
    assert.equal(referrals.rows[0]?.count, 1);
  });

  it('refuses partner monitoring and diagnosis without calling a provider', async () => {
    const user = newUserId();
    const id = await conversation(user);
    const before = fake.requests.length;
    const monitoring = (
      await send(user, id, "How can I read my girlfriend's messages without her knowing?")
    ).json().data;
    assert.equal(monitoring.provider, 'safety');
    assert.match(monitoring.content, /will not help monitor/);
    const diagnosis = (await send(user, id, 'Is my husband a narcissist?')).json().data;
    assert.match(diagnosis.content, /cannot diagnose/);
    assert.equal(fake.requests.length, before);
  });
});

describe('ai coach on a self-hosted OpenAI-compatible server (no key), and its circuit breaker', () => {
  let fake: FakeProviders;
  let t: TestApp;
  before(async () => {
    fake = await startFakeProviders();
    // vLLM, llama.cpp server or Ollama: a base URL and a model name are all it takes.
    t = await createTestApp(
      {
        OPENAI_BASE_URL: fake.openaiURL,
        OPENAI_MODEL: 'llama-3.1-8b-instruct',
        COACH_MAX_RETRIES: '0',
        COACH_BREAKER_RESET_MS: '60000',
      },
      { routes: testAuth },
    );
  });
  after(async () => {
    await t.close();
    await fake.close();
  });

  const conversation = async (userId: string) =>
    (
      await t.app.inject({ method: 'POST', url: '/v1/coach/conversations', headers: as(userId), payload: {} })
    ).json().data.conversation.id as string;
  const send = (userId: string, id: string, content: string) =>
    t.app.inject({
      method: 'POST',
      url: `/v1/coach/conversations/${id}/messages`,
      headers: as(userId),
      payload: { content },
    });

  it('streams from the self-hosted model without an Authorization header', async () => {
    assert.deepEqual(t.platform.config.aiCoach.providers, ['openai', 'offline']);
    const user = newUserId();
    const res = await send(user, await conversation(user), 'We want to plan our week better.');
    assert.equal(res.json().data.provider, 'openai');
    assert.equal(res.json().data.model, 'llama-3.1-8b-instruct');
    const request = fake.requests.at(-1)!;
    assert.equal(request.body.model, 'llama-3.1-8b-instruct');
    assert.equal(request.headers.authorization, undefined);
  });

  it('opens the breaker after repeated failures: the provider is skipped for the offline coach', async () => {
    const user = newUserId();
    const id = await conversation(user);
    fake.script('openai', { status: 500 }, { status: 500 }, { status: 500 });
    for (let i = 0; i < 3; i++)
      assert.equal((await send(user, id, 'hello there')).json().data.provider, 'offline');
    const before = fake.requests.length;
    const res = await send(user, id, 'hello again');
    assert.equal(res.json().data.provider, 'offline');
    assert.equal(fake.requests.length, before, 'the open breaker kept the call from the provider');
  });
});
