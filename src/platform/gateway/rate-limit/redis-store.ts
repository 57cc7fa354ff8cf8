import type { RedisClient } from '../../redis/client.ts';
import { tickBatcher } from '../tick-batcher.ts';
import type { Decision, RateLimitStore, Rule } from './rules.ts';

/**
 * Every rule of one request is checked and counted by one Lua script, so the
 * decision is atomic across all processes. Time is Redis's own clock (TIME),
 * so processes with skewed clocks agree. The arithmetic mirrors algorithms.ts.
 *
 * Requests that arrive in the same event-loop turn are sent together in one
 * script call (tick-batcher.ts) and evaluated one after the other inside it:
 * each is still atomic and sees the counts of the ones before it.
 *
 * Keys carry the `{rl}` hash tag: on Redis Cluster all limiter keys share a
 * slot, which a multi-key script requires (see docs/gateway.md).
 */
const CHECK = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = {}
local k = 0
local a = 2
for request = 1, tonumber(ARGV[1]) do
  local n = tonumber(ARGV[a])
  a = a + 1
  local allowed = 1
  local retry = 0
  local writes = {}
  local results = {}
  for i = 1, n do
    local key = KEYS[k + i]
    local kind = ARGV[a + (i - 1) * 4]
    local x = tonumber(ARGV[a + (i - 1) * 4 + 1])
    local y = tonumber(ARGV[a + (i - 1) * 4 + 2])
    -- permits wanted at once (a lease); as many as there is room for, at least one
    local want = tonumber(ARGV[a + (i - 1) * 4 + 3])
    local granted = 0
    local remaining, reset
    if kind == 'b' then
      -- token bucket: x = tokens per second, y = capacity
      local h = redis.call('HMGET', key, 'tk', 'ts')
      local tokens = tonumber(h[1]) or y
      local at = tonumber(h[2]) or now
      tokens = math.min(y, tokens + math.max(0, now - at) * x / 1000)
      local left = tokens
      if tokens >= 1 then
        granted = math.min(want, math.floor(tokens))
        left = tokens - granted
      else
        allowed = 0
        retry = math.max(retry, math.ceil((1 - tokens) * 1000 / x))
      end
      remaining = math.max(0, math.floor(left))
      reset = math.ceil((y - left) / x)
      writes[i] = {'tk', string.format('%.6f', left), 'ts', string.format('%d', now), math.ceil(y / x * 1000) + 1000}
    else
      -- sliding window: x = limit, y = window in ms
      local h = redis.call('HMGET', key, 'w', 'c', 'p')
      local start = now - (now % y)
      local w = tonumber(h[1])
      local c = tonumber(h[2]) or 0
      local p = tonumber(h[3]) or 0
      if w == nil then
        c = 0
        p = 0
      elseif w ~= start then
        if w == start - y then p = c else p = 0 end
        c = 0
      end
      local elapsed = now - start
      local estimate = p * (y - elapsed) / y + c
      if estimate + 1 <= x then
        granted = math.min(want, math.floor(x - estimate))
        remaining = math.max(0, math.floor(x - estimate - granted))
        -- The TTL only needs setting when the window (re)starts: it then covers this window and the next.
        local ttl = false
        if w ~= start then ttl = 2 * y end
        writes[i] = {'w', string.format('%d', start), 'c', string.format('%d', c + granted), 'p', string.format('%d', p), ttl}
      else
        allowed = 0
        remaining = 0
        local wait
        local room = x - 1 - c
        if x < 1 then
          wait = y - elapsed
        elseif room >= 0 and p > 0 then
          wait = math.ceil(y * (1 - room / p) - elapsed)
        else
          wait = math.ceil(y - elapsed + y * (1 - (x - 1) / c))
        end
        retry = math.max(retry, math.max(1, wait))
      end
      reset = math.ceil((y - elapsed) / 1000)
    end
    results[i * 3 - 2] = remaining
    results[i * 3 - 1] = reset
    results[i * 3] = granted
  end
  if allowed == 1 then
    for i = 1, n do
      local wr = writes[i]
      local ttl = wr[#wr]
      wr[#wr] = nil
      redis.call('HSET', KEYS[k + i], unpack(wr))
      if ttl then redis.call('PEXPIRE', KEYS[k + i], ttl) end
    end
  end
  out[#out + 1] = allowed
  out[#out + 1] = retry
  for i = 1, n * 3 do out[#out + 1] = results[i] end
  k = k + n
  a = a + n * 4
end
return out
`;

type ScriptRedis = RedisClient & { o2oRateLimit(...args: (string | number)[]): Promise<number[]> };

export function createRedisRateLimitStore(redis: RedisClient, prefix: string): RateLimitStore {
  redis.defineCommand('o2oRateLimit', { lua: CHECK });
  const scripted = redis as ScriptRedis;

  async function checkAll(batch: Rule[][]): Promise<Decision[]> {
    const keys: string[] = [];
    const args: (string | number)[] = [batch.length];
    for (const rules of batch) {
      args.push(rules.length);
      for (const rule of rules) {
        keys.push(`${prefix}{rl}:${rule.key}`);
        if (rule.kind === 'token-bucket') args.push('b', rule.ratePerSecond, rule.capacity, rule.lease ?? 1);
        else args.push('w', rule.limit, rule.windowSeconds * 1000, rule.lease ?? 1);
      }
    }
    const reply = await scripted.o2oRateLimit(keys.length, ...keys, ...args);
    let at = 0;
    return batch.map((rules) => {
      const base = at;
      at = base + 2 + rules.length * 3;
      return {
        allowed: reply[base] === 1,
        retryAfterMs: reply[base + 1] ?? 0,
        results: rules.map((_, i) => ({
          remaining: reply[base + 2 + i * 3] ?? 0,
          resetSeconds: reply[base + 3 + i * 3] ?? 0,
          granted: reply[base + 4 + i * 3] ?? 0,
        })),
      };
    });
  }

  return {
    kind: 'redis',
    check: tickBatcher(checkAll),
    async close() {},
  };
}
