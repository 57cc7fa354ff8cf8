import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Counter } from 'prom-client';
import type { Config } from '../../config.ts';
import { rateLimited } from '../../http/errors.ts';
import { routeOf } from '../../http/route-of.ts';
import type { Platform } from '../../platform.ts';
import { clientAddressKey } from '../client-address.ts';
import { createGatewayRedis, redisReady } from '../redis.ts';
import { createFailoverStore } from './failover-store.ts';
import { rateLimitHeaders } from './headers.ts';
import { createLeasingStore } from './lease-store.ts';
import { createMemoryRateLimitStore } from './memory-store.ts';
import { type EndpointPolicy, policiesFor } from './policies.ts';
import { createRedisRateLimitStore } from './redis-store.ts';
import type { Decision, RateLimitStore, Rule } from './rules.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `false` exempts a route from every rate limit (health checks, metrics scrapes). */
    rateLimit?: false;
  }
}

/**
 * Counts every request in a preValidation hook: after onRequest, so the user
 * the auth module sets there is known, and after the body is parsed, so a
 * policy can count by the account a login names; before validation, so
 * malformed requests count too. Unknown routes (404 scans) count per IP.
 */
export const rateLimit = fp(
  async (app: FastifyInstance, opts: { platform: Platform }) => {
    const { config, metrics } = opts.platform;
    if (!config.gateway.rateLimitEnabled) return;
    const store = await createStore(config, app, opts.platform);
    const globalBucket = globalRule(config);
    app.addHook('onClose', () => store.close());
    const refused = new Counter({
      name: 'rate_limit_refused_total',
      help: 'Requests answered 429, by the policy that refused them',
      labelNames: ['policy'],
      registers: [metrics],
    });

    // A 429 says which limit and which setting relaxes it: trying the API locally
    // otherwise locks a developer out of sign-up for an hour with no clue why.
    const hint = (exhausted: Rule[]) =>
      ` (limit ${exhausted.map((rule) => rule.name).join(', ')}; RATE_LIMIT_ENABLED=false turns the gateway's limits off for local development)`;

    /** Sets the headers; the 429 to answer with when refused, else undefined. */
    const apply = (reply: FastifyReply, rules: Rule[], decision: Decision): Error | undefined => {
      const headers = rateLimitHeaders(rules, decision.results);
      if (headers) reply.headers(headers);
      if (decision.allowed) return undefined;
      const exhausted = rules.filter((_, i) => decision.results[i]?.remaining === 0);
      for (const rule of exhausted) refused.inc({ policy: rule.name });
      const retryAfter = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
      return rateLimited(retryAfter, `Too many requests, retry in ${retryAfter} s${hint(exhausted)}`);
    };
    // A callback hook, and no promise when the store answers at once (in-process counters,
    // leased permits): this runs on every limited request.
    app.addHook('preValidation', (request, reply, done) => {
      if (routeOf(request).config.rateLimit === false) return done();
      const rules = rulesFor(request, config, globalBucket);
      if (rules.length === 0) return done();
      let answer: Decision | Promise<Decision>;
      try {
        answer = store.check(rules);
      } catch (error) {
        return done(error as Error);
      }
      if (!(answer instanceof Promise)) return done(apply(reply, rules, answer));
      answer.then((decision) => done(apply(reply, rules, decision)), done);
    });
  },
  { name: 'rate-limit', dependencies: ['conventions'] },
);

async function createStore(
  config: Config,
  app: FastifyInstance,
  platform: Platform,
): Promise<RateLimitStore> {
  const memory = createMemoryRateLimitStore();
  if (!config.redis) return memory;
  const redis = createGatewayRedis(config.redis);
  app.addHook('onClose', async () => void redis.disconnect());
  if (!(await redisReady(redis)))
    app.log.warn('rate limits: Redis is not answering yet; starting on per-process counters');
  return createFailoverStore({
    primary: leased(createRedisRateLimitStore(redis, config.gateway.redisPrefix), config),
    fallback: memory,
    log: app.log,
    metrics: platform.metrics,
  });
}

function leased(store: RateLimitStore, config: Config): RateLimitStore {
  const percent = config.gateway.leasePercent;
  return percent > 0 ? createLeasingStore(store, { maxShare: percent / 100 }) : store;
}

/** The global bucket's rule, the same for every request: built once, not per request. */
function globalRule(config: Config): Rule | undefined {
  const { gateway } = config;
  if (gateway.globalPerSecond <= 0) return undefined;
  return {
    kind: 'token-bucket',
    name: 'global',
    key: 'global',
    ratePerSecond: gateway.globalPerSecond,
    capacity: gateway.burstPerSecond,
  };
}

function rulesFor(request: FastifyRequest, config: Config, globalBucket: Rule | undefined): Rule[] {
  const { gateway } = config;
  const ip = clientAddressKey(request.ip);
  const userId = request.user?.id;
  const rules: Rule[] = [];
  if (globalBucket) rules.push(globalBucket);
  if (gateway.perIpPerMinute > 0) {
    rules.push({
      kind: 'sliding-window',
      name: 'ip',
      key: `ip:${ip}`,
      limit: gateway.perIpPerMinute,
      windowSeconds: 60,
    });
  }
  if (userId !== undefined && gateway.perUserPerMinute > 0) {
    rules.push({
      kind: 'sliding-window',
      name: 'user',
      key: `user:${userId}`,
      limit: gateway.perUserPerMinute,
      windowSeconds: 60,
    });
  }
  // A server-to-server client: its own limit, set per key (docs/gateway.md, API keys).
  const apiKey = request.apiKey;
  if (apiKey !== undefined && apiKey.ratePerMinute > 0) {
    rules.push({
      kind: 'sliding-window',
      name: 'api-key',
      key: `key:${apiKey.id}`,
      limit: apiKey.ratePerMinute,
      windowSeconds: 60,
    });
  }
  for (const policy of policiesFor(request.method, routeOf(request).url)) {
    const subject = subjectOf(policy, request, ip);
    if (subject === undefined) continue;
    rules.push({
      kind: 'sliding-window',
      name: policy.name,
      key: `ep:${policy.name}:${subject}`,
      limit: policy.limit,
      windowSeconds: policy.windowSeconds,
    });
  }
  return rules;
}

function subjectOf(policy: EndpointPolicy, request: FastifyRequest, ip: string): string | undefined {
  if (policy.by === 'ip') return ip;
  if (policy.by === 'user') return request.user?.id;
  const value = policy.by(request);
  // Request-supplied values (an e-mail) are hashed: bounded key length, no personal data in Redis.
  return value === undefined
    ? undefined
    : createHash('sha256').update(value).digest('base64url').slice(0, 22);
}
