import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from './config.ts';

describe('config', () => {
  it('has working defaults for a laptop', () => {
    const config = parseConfig({});
    assert.equal(config.port, 3000);
    assert.equal(config.nodeEnv, 'development');
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.modules, 'all');
  });

  it('parses values and lists', () => {
    const config = parseConfig({
      PORT: '8080',
      CORS_ORIGINS: 'https://a.example, https://b.example',
      MODULES: 'auth,users',
    });
    assert.equal(config.port, 8080);
    assert.deepEqual(config.corsOrigins, ['https://a.example', 'https://b.example']);
    assert.deepEqual(config.modules, ['auth', 'users']);
  });

  it('names every bad variable in one error', () => {
    assert.throws(
      () => parseConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', REDIS_URL: 'nope' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.problems.length, 4);
        for (const name of ['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'REDIS_URL'])
          assert.match(error.message, new RegExp(name));
        return true;
      },
    );
  });

  it('refuses to generate secrets in production', () => {
    assert.throws(
      () => parseConfig({ NODE_ENV: 'production' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.some((p) => p.startsWith('ENCRYPTION_KEYS')) &&
        error.problems.some((p) => p.startsWith('JWT_SIGNING_KEYS')),
    );
    assert.doesNotThrow(() =>
      parseConfig({ NODE_ENV: 'production', ENCRYPTION_KEYS: 'k', JWT_SIGNING_KEYS: 'k' }),
    );
  });
});
