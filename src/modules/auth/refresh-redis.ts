import { randomBytes } from 'node:crypto';
import type { RedisTarget } from '../../platform/config.ts';
import { AppError, serviceUnavailable } from '../../platform/http/errors.ts';
import { connectRedis, type RedisClient } from '../../platform/redis/client.ts';
import { randomToken, tokenHash } from './crypto.ts';

/**
 * Refresh-token records in Redis (when REDIS_URL is set): one hash per token,
 * keyed by the token's SHA-256, expiring with the token. Spending a token is
 * one Lua script, so of two racing refreshes exactly one rotates and the
 * other reads the pair it produced. Sessions themselves (revocation, listing)
 * stay in PostgreSQL.
 *
 * The spend script touches two records, the spent token's and its successor's,
 * which on Redis Cluster must share a hash slot. So a token issued here reads
 * `<family tag>.<256 random bits>`: a session's first token draws the tag, every
 * successor inherits it, and each record's key is `{tag}:<sha256 of the token>`.
 * Tokens without a tag (issued before tags) keep their plain key.
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
  insert(token: string, record: Omit<RefreshRecord, 'usedAt' | 'successor'>): Promise<void>;
  get(token: string): Promise<RefreshRecord | undefined>;
  spend(
    token: string,
    now: number,
    successor: string,
    next: { token: string } & Omit<RefreshRecord, 'usedAt' | 'successor'>,
  ): Promise<SpendResult>;
  /** For tests and tooling: overwrite fields of a record. */
  patch(token: string, fields: Partial<Pick<RefreshRecord, 'usedAt' | 'expiresAt'>>): Promise<void>;
  close(): void;
}

/** A new session's first token: a fresh family tag. */
export function firstRefreshToken(): string {
  return `${randomBytes(4).toString('hex')}.${randomToken()}`;
}

/** The token that replaces `previous`: same family tag, so both records share a cluster slot. */
export function successorRefreshToken(previous: string): string {
  const dot = previous.indexOf('.');
  return dot > 0 ? `${previous.slice(0, dot)}.${randomToken()}` : firstRefreshToken();
}

/** The record's key: `{tag}:<hash>` for a tagged token, the bare hash for an older one. */
export function refreshKey(token: string): string {
  const hash = tokenHash(token).toString('hex');
  const dot = token.indexOf('.');
  return dot > 0 ? `{${token.slice(0, dot)}}:${hash}` : hash;
}

const SPEND = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {'missing'} end
local used = redis.call('HGET', KEYS[1], 'used')
if used then return {'used', used, redis.call('HGET', KEYS[1], 'succ') or ''} end
redis.call('HSET', KEYS[1], 'used', ARGV[1], 'succ', ARGV[2])
redis.call('HSET', KEYS[2], 'sid', ARGV[3], 'uid', ARGV[4], 'exp', ARGV[5])
redis.call('PEXPIREAT', KEYS[2], ARGV[5])
return {'ok'}`;

type WithSpend = RedisClient & {
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

export function createRedisRefreshTokens(
  target: RedisTarget,
  keyPrefix = 'o2o:auth:rt:',
): RedisRefreshTokens {
  const redis = connectRedis(target, { keyPrefix, maxRetriesPerRequest: 1 }) as WithSpend;
  redis.on('error', () => {});
  redis.defineCommand('o2oSpendRefresh', { numberOfKeys: 2, lua: SPEND });
  const key = refreshKey;
  return {
    async insert(token, record) {
      await available(
        redis
          .multi()
          .hset(key(token), { sid: record.sessionId, uid: record.userId, exp: String(record.expiresAt) })
          .pexpireat(key(token), record.expiresAt)
          .exec(),
      );
    },
    async get(token) {
      const fields = await available(redis.hgetall(key(token)));
      if (!fields.sid || !fields.uid || !fields.exp) return undefined;
      return {
        sessionId: fields.sid,
        userId: fields.uid,
        expiresAt: Number(fields.exp),
        ...(fields.used ? { usedAt: Number(fields.used) } : {}),
        ...(fields.succ ? { successor: fields.succ } : {}),
      };
    },
    async spend(token, now, successor, next) {
      const [kind, usedAt, previous] = await available(
        redis.o2oSpendRefresh(
          key(token),
          key(next.token),
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
    async patch(token, fields) {
      const values: Record<string, string> = {};
      if (fields.usedAt !== undefined) values.used = String(fields.usedAt);
      if (fields.expiresAt !== undefined) values.exp = String(fields.expiresAt);
      await redis.hset(key(token), values);
    },
    close: () => redis.disconnect(),
  };
}
