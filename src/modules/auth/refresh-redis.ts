import { Redis } from 'ioredis';
import { AppError, serviceUnavailable } from '../../platform/http/errors.ts';

/**
 * Refresh-token records in Redis (when REDIS_URL is set): one hash per token,
 * keyed by the token's SHA-256, expiring with the token. Spending a token is
 * one Lua script, so of two racing refreshes exactly one rotates and the
 * other reads the pair it produced. Sessions themselves (revocation, listing)
 * stay in PostgreSQL. Two keys per script: single Redis or Sentinel, not Cluster.
 */
export interface RefreshRecord {
  sessionId: string;
  userId: string;
  expiresAt: number;
  usedAt?: number;
  successor?: string;
}

export type SpendResult =
  | { kind: 'ok' }
  | { kind: 'missing' }
  | { kind: 'used'; usedAt: number; successor?: string };

export interface RedisRefreshTokens {
  insert(hash: Buffer, record: Omit<RefreshRecord, 'usedAt' | 'successor'>): Promise<void>;
  get(hash: Buffer): Promise<RefreshRecord | undefined>;
  spend(
    hash: Buffer,
    now: number,
    successor: string,
    next: { hash: Buffer } & Omit<RefreshRecord, 'usedAt' | 'successor'>,
  ): Promise<SpendResult>;
  /** For tests and tooling: overwrite fields of a record. */
  patch(hash: Buffer, fields: Partial<Pick<RefreshRecord, 'usedAt' | 'expiresAt'>>): Promise<void>;
  close(): void;
}

const SPEND = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {'missing'} end
local used = redis.call('HGET', KEYS[1], 'used')
if used then return {'used', used, redis.call('HGET', KEYS[1], 'succ') or ''} end
redis.call('HSET', KEYS[1], 'used', ARGV[1], 'succ', ARGV[2])
redis.call('HSET', KEYS[2], 'sid', ARGV[3], 'uid', ARGV[4], 'exp', ARGV[5])
redis.call('PEXPIREAT', KEYS[2], ARGV[5])
return {'ok'}`;

type WithSpend = Redis & {
  o2oSpendRefresh(
    old: string,
    next: string,
    now: number,
    successor: string,
    sid: string,
    uid: string,
    exp: number,
  ): Promise<string[]>;
};

/**
 * Redis down: a token can be neither checked nor spent. That is an outage
 * (503, retry shortly with the same token, which is still unspent), not a 500,
 * and never a 401 that would sign the person out.
 */
async function available<T>(operation: Promise<T>): Promise<T> {
  try {
    return await operation;
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw serviceUnavailable(5, 'Sessions are temporarily unavailable, retry shortly');
  }
}

export function createRedisRefreshTokens(url: string, keyPrefix = 'o2o:auth:rt:'): RedisRefreshTokens {
  const redis = new Redis(url, { keyPrefix, maxRetriesPerRequest: 1 }) as WithSpend;
  redis.on('error', () => {});
  redis.defineCommand('o2oSpendRefresh', { numberOfKeys: 2, lua: SPEND });
  const key = (hash: Buffer) => hash.toString('hex');
  return {
    async insert(hash, record) {
      await available(
        redis
          .multi()
          .hset(key(hash), { sid: record.sessionId, uid: record.userId, exp: String(record.expiresAt) })
          .pexpireat(key(hash), record.expiresAt)
          .exec(),
      );
    },
    async get(hash) {
      const fields = await available(redis.hgetall(key(hash)));
      if (!fields.sid || !fields.uid || !fields.exp) return undefined;
      return {
        sessionId: fields.sid,
        userId: fields.uid,
        expiresAt: Number(fields.exp),
        ...(fields.used ? { usedAt: Number(fields.used) } : {}),
        ...(fields.succ ? { successor: fields.succ } : {}),
      };
    },
    async spend(hash, now, successor, next) {
      const [kind, usedAt, previous] = await available(
        redis.o2oSpendRefresh(
          key(hash),
          key(next.hash),
          now,
          successor,
          next.sessionId,
          next.userId,
          next.expiresAt,
        ),
      );
      if (kind === 'ok') return { kind: 'ok' };
      if (kind === 'used')
        return { kind: 'used', usedAt: Number(usedAt), ...(previous ? { successor: previous } : {}) };
      return { kind: 'missing' };
    },
    async patch(hash, fields) {
      const values: Record<string, string> = {};
      if (fields.usedAt !== undefined) values.used = String(fields.usedAt);
      if (fields.expiresAt !== undefined) values.exp = String(fields.expiresAt);
      await redis.hset(key(hash), values);
    },
    close: () => redis.disconnect(),
  };
}
