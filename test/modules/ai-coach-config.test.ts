import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../../src/config.ts';

describe('ai coach configuration', () => {
  it('runs the offline coach alone when no provider is configured', () => {
    const { aiCoach } = parseConfig({});
    assert.deepEqual(aiCoach.providers, ['offline']);
    assert.deepEqual(aiCoach.budgets.free, { messages: 20, tokens: 20_000 });
  });

  it('uses every configured provider, OpenAI first, the offline coach last', () => {
    const { aiCoach } = parseConfig({ OPENAI_API_KEY: 'sk', ANTHROPIC_API_KEY: 'sk-ant' });
    assert.deepEqual(aiCoach.providers, ['openai', 'anthropic', 'offline']);
    const ordered = parseConfig({
      OPENAI_BASE_URL: 'http://gpu:8000/v1',
      ANTHROPIC_API_KEY: 'k',
      COACH_PROVIDERS: 'anthropic,offline,openai',
    });
    assert.deepEqual(ordered.aiCoach.providers, ['anthropic', 'openai', 'offline']);
    assert.equal(ordered.aiCoach.openai.apiKey, undefined, 'a self-hosted server needs no key');
  });

  it('names every inconsistent coach setting', () => {
    assert.throws(
      () =>
        parseConfig({
          COACH_PROVIDERS: 'openai,anthropic,gemini',
          OPENAI_PRICE: 'cheap',
          COACH_TIMEOUT_MS: '0',
          OPENAI_BASE_URL: 'ftp://x',
        }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        for (const text of [
          'gemini',
          'ANTHROPIC_API_KEY',
          'OPENAI_PRICE',
          'COACH_TIMEOUT_MS',
          'OPENAI_BASE_URL',
        ]) {
          assert.match(error.message, new RegExp(text));
        }
        return true;
      },
    );
  });
});
