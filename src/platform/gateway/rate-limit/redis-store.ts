import type { Redis } from 'ioredis';
import type { Decision, RateLimitStore, Rule } from './rules.ts';

/**
 * Every rule of one request is checked and counted by one Lua script, so the
 * decision is atomic across all processes and costs one round trip. Time is
 * Redis's own clock (TIME), so processes with skewed clocks agree. The
 * arithmetic mirrors algorithms.ts.
 *
 * Keys carry the `{rl}` hash tag: on Redis Cluster all limiter keys share a
 * slot, which a multi-key script requires (see docs/gateway.md).
 */
const CHECK = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = #KEYS
local allowed = 1
local retry = 0
local writes = {}
local out = {0, 0}
for i = 1, n do
  local kind = ARGV[(i - 1) * 3 + 1]
  local a = tonumber(ARGV[(i - 1) * 3 + 2])
  local b = tonumber(ARGV[(i - 1) * 3 + 3])
  local remaining, reset
  if kind == 'b' then
    -- token bucket: a = tokens per second, b = capacity
    local h = redis.call('HMGET', KEYS[i], 'tk', 'ts')
    local tokens = tonumber(h[1]) or b
    local at = tonumber(h[2]) or now
    tokens = math.min(b, tokens + math.max(0, now - at) * a / 1000)
    local left = tokens
    if tokens >= 1 then
      left = tokens - 1
    else
      allowed = 0
      retry = math.max(retry, math.ceil((1 - tokens) * 1000 / a))
    end
    remaining = math.max(0, math.floor(left))
    reset = math.ceil((b - left) / a)
    writes[i] = {'tk', string.format('%.6f', left), 'ts', string.format('%d', now), math.ceil(b / a * 1000) + 1000}
  else
    -- sliding window: a = limit, b = window in ms
    local h = redis.call('HMGET', KEYS[i], 'w', 'c', 'p')
    local start = now - (now % b)
    local w = tonumber(h[1])
    local c = tonumber(h[2]) or 0
    local p = tonumber(h[3]) or 0
    if w == nil then
      c = 0
      p = 0
    elseif w ~= start then
      if w == start - b then p = c else p = 0 end
      c = 0
    end
    local elapsed = now - start
    local estimate = p * (b - elapsed) / b + c
    if estimate + 1 <= a then
      remaining = math.max(0, math.floor(a - estimate - 1))
      writes[i] = {'w', string.format('%d', start), 'c', string.format('%d', c + 1), 'p', string.format('%d', p), 2 * b}
    else
      allowed = 0
      remaining = 0
      local wait
      local room = a - 1 - c
      if a < 1 then
        wait = b - elapsed
      elseif room >= 0 and p > 0 then
        wait = math.ceil(b * (1 - room / p) - elapsed)
      else
        wait = math.ceil(b - elapsed + b * (1 - (a - 1) / c))
      end
      retry = math.max(retry, math.max(1, wait))
    end
    reset = math.ceil((b - elapsed) / 1000)
  end
  out[2 + (i - 1) * 2 + 1] = remaining
  out[2 + (i - 1) * 2 + 2] = reset
end
if allowed == 1 then
  for i = 1, n do
    local wr = writes[i]
    local ttl = table.remove(wr)
    redis.call('HSET', KEYS[i], unpack(wr))
    redis.call('PEXPIRE', KEYS[i], ttl)
  end
end
out[1] = allowed
out[2] = retry
return out
`;

type ScriptRedis = Redis & { o2oRateLimit(...args: (string | number)[]): Promise<number[]> };

export function createRedisRateLimitStore(redis: Redis, prefix: string): RateLimitStore {
  redis.defineCommand('o2oRateLimit', { lua: CHECK });
  const scripted = redis as ScriptRedis;
  return {
    kind: 'redis',
    async check(rules: Rule[]): Promise<Decision> {
      const keys = rules.map((rule) => `${prefix}{rl}:${rule.key}`);
      const args = rules.flatMap((rule) =>
        rule.kind === 'token-bucket'
          ? ['b', rule.ratePerSecond, rule.capacity]
          : ['w', rule.limit, rule.windowSeconds * 1000],
      );
      const reply = await scripted.o2oRateLimit(keys.length, ...keys, ...args);
      return {
        allowed: reply[0] === 1,
        retryAfterMs: reply[1] ?? 0,
        results: rules.map((_, i) => ({
          remaining: reply[2 + i * 2] ?? 0,
          resetSeconds: reply[3 + i * 2] ?? 0,
        })),
      };
    },
    async close() {},
  };
}
