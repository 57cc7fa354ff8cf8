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

  it('takes a NATS cluster as comma-separated seed URLs, each checked, and its stream replicas', () => {
    const config = parseConfig({
      NATS_URL: 'nats://127.0.0.1:4222, nats://127.0.0.1:4223',
      NATS_STREAM_REPLICAS: '3',
    });
    assert.equal(config.natsUrl, 'nats://127.0.0.1:4222, nats://127.0.0.1:4223');
    assert.equal(config.natsStreamReplicas, 3);
    assert.equal(parseConfig({}).natsStreamReplicas, 1);
    assert.throws(
      () => parseConfig({ NATS_URL: 'nats://127.0.0.1:4222,http://x', NATS_STREAM_REPLICAS: '7' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /NATS_URL/);
        assert.match(error.message, /NATS_STREAM_REPLICAS/);
        return true;
      },
    );
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

  it('reads storage settings and requires a bucket for S3', () => {
    const local = parseConfig({});
    assert.equal(local.storage.driver, 'local');
    assert.equal(local.publicUrl, undefined);
    assert.equal(local.appUrl, 'http://localhost:3000');
    const s3 = parseConfig({
      STORAGE_DRIVER: 's3',
      S3_BUCKET: 'b',
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      S3_FORCE_PATH_STYLE: 'false',
      PUBLIC_URL: 'https://api.example/',
    });
    assert.equal(s3.storage.s3.bucket, 'b');
    assert.equal(s3.storage.s3.forcePathStyle, false);
    assert.equal(s3.publicUrl, 'https://api.example');
    assert.throws(
      () => parseConfig({ STORAGE_DRIVER: 's3', APP_URL: 'ftp://x' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.some((p) => p.startsWith('S3_BUCKET')) &&
        error.problems.some((p) => p.startsWith('APP_URL')),
    );
  });
});
