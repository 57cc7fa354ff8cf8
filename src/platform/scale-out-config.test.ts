import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../config.ts';

const problemsOf = (env: Record<string, string>) => {
  try {
    parseConfig(env);
    return [];
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
};

describe('scale-out configuration: replicas, direct connection, Redis Cluster', () => {
  it('defaults to one database and one (or no) Redis', () => {
    const config = parseConfig({});
    assert.deepEqual(config.databaseReplicaUrls, []);
    assert.equal(config.databaseDirectUrl, undefined);
    assert.equal(config.databaseReplicaStickySeconds, 5);
    assert.equal(config.redis, undefined);
    assert.deepEqual(parseConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).redis, {
      kind: 'single',
      url: 'redis://127.0.0.1:6379',
    });
  });

  it('reads replicas, the direct URL and the stickiness window', () => {
    const config = parseConfig({
      DATABASE_URL: 'postgres://app@pgbouncer:6432/o2o',
      DATABASE_DIRECT_URL: 'postgres://app@primary:5432/o2o',
      DATABASE_REPLICA_URLS: 'postgres://app@replica1/o2o, postgresql://app@replica2/o2o',
      DATABASE_REPLICA_STICKY_SECONDS: '2',
    });
    assert.deepEqual(config.databaseReplicaUrls, [
      'postgres://app@replica1/o2o',
      'postgresql://app@replica2/o2o',
    ]);
    assert.equal(config.databaseDirectUrl, 'postgres://app@primary:5432/o2o');
    assert.equal(config.databaseReplicaStickySeconds, 2);
  });

  it('prepares statements unless DATABASE_DIRECT_URL says DATABASE_URL is a transaction pooler', () => {
    const primary = 'postgres://app@primary:5432/o2o';
    const pooler = { DATABASE_URL: 'postgres://app@pgbouncer:6432/o2o', DATABASE_DIRECT_URL: primary };
    assert.equal(parseConfig({}).databasePreparedStatements, true);
    assert.equal(parseConfig({ DATABASE_URL: primary }).databasePreparedStatements, true);
    assert.equal(parseConfig(pooler).databasePreparedStatements, false);
    // An explicit value wins either way (PgBouncer 1.21+ with max_prepared_statements; or opting out).
    assert.equal(
      parseConfig({ ...pooler, DATABASE_PREPARED_STATEMENTS: 'true' }).databasePreparedStatements,
      true,
    );
    assert.equal(
      parseConfig({ DATABASE_URL: primary, DATABASE_PREPARED_STATEMENTS: 'off' }).databasePreparedStatements,
      false,
    );
    assert.ok(
      problemsOf({ DATABASE_PREPARED_STATEMENTS: 'sometimes' }).some((p) =>
        p.startsWith('DATABASE_PREPARED_STATEMENTS'),
      ),
    );
  });

  it('names bad replica URLs, replicas without a primary and a bad window', () => {
    const problems = problemsOf({
      DATABASE_REPLICA_URLS: 'postgres://ok/db,mysql://nope/db',
      DATABASE_DIRECT_URL: 'http://primary',
      DATABASE_REPLICA_STICKY_SECONDS: '0',
    });
    assert.ok(problems.some((p) => p.startsWith('DATABASE_REPLICA_URLS: each entry')));
    assert.ok(problems.some((p) => p.startsWith('DATABASE_REPLICA_URLS needs DATABASE_URL')));
    assert.ok(problems.some((p) => p.startsWith('DATABASE_DIRECT_URL')));
    assert.ok(problems.some((p) => p.startsWith('DATABASE_REPLICA_STICKY_SECONDS')));
  });

  it('prefers REDIS_CLUSTER_NODES over REDIS_URL and checks each node', () => {
    const config = parseConfig({
      REDIS_URL: 'redis://single:6379',
      REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-b:7001,[::1]:7002',
    });
    assert.deepEqual(config.redis, {
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: 'redis-b', port: 7001 },
        { host: '::1', port: 7002 },
      ],
    });
    // Modules that only ask "is there a Redis?" see one.
    assert.equal(config.auth.refreshTokenStore, 'redis');
    const problems = problemsOf({
      REDIS_CLUSTER_NODES: 'redis-a,redis-b:99999',
      GATEWAY_REDIS_PREFIX: '{gw}:',
    });
    assert.equal(problems.filter((p) => p.startsWith('REDIS_CLUSTER_NODES')).length, 2);
    assert.ok(
      problems.some((p) => p.startsWith('GATEWAY_REDIS_PREFIX')),
      'a prefix would hide the keys’ hash tags',
    );
  });
});
