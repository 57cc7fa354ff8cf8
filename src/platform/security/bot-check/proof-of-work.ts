import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { type BotCheck, BotCheckError } from './bot-check.ts';

/**
 * A hashcash-style proof of work, stateless until it is spent.
 *
 * Challenge (issued by the server): `v1.<id>.<difficulty>.<expires>.<mac>`
 * - `id`: 16 random bytes, base64url; `difficulty`: leading zero bits wanted;
 *   `expires`: Unix seconds; `mac`: base64url HMAC-SHA256 of
 *   `v1.<id>.<difficulty>.<expires>` under the server's key, so a client can
 *   neither make challenges nor lower their difficulty.
 * Solution (sent by the client): `<challenge>:<nonce>`, `nonce` a decimal
 * integer (at most 16 digits) such that SHA-256 of the solution's UTF-8 bytes
 * starts with `difficulty` zero bits (the first byte's high bit first).
 * Accepted once: the id is marked spent (set-once, until the challenge expires).
 *
 * The client's half is `solveChallenge` in packages/client/src/proof-of-work.ts.
 */
export interface Challenge {
  challenge: string;
  difficulty: number;
  expiresAt: string;
}

export interface ProofOfWorkOptions {
  key: Buffer;
  difficulty: number;
  ttlSeconds: number;
  /** Marks `id` spent for `ttlSeconds`; resolves true the first time only (Redis or in-process). */
  spend(id: string, ttlSeconds: number): Promise<boolean>;
  now?: () => number;
}

export interface ProofOfWork extends BotCheck {
  issue(): Challenge;
}

const SHAPE = /^v1\.([A-Za-z0-9_-]{22})\.(\d{1,2})\.(\d{1,12})\.([A-Za-z0-9_-]{43}):(\d{1,16})$/;

/** Leading zero bits of a digest. */
export function leadingZeroBits(digest: Uint8Array): number {
  let bits = 0;
  for (const byte of digest) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

export function createProofOfWork(options: ProofOfWorkOptions): ProofOfWork {
  const now = options.now ?? Date.now;
  const mac = (body: string) => createHmac('sha256', options.key).update(body).digest();
  return {
    kind: 'pow',
    issue() {
      const id = randomBytes(16).toString('base64url');
      const expires = Math.floor(now() / 1000) + options.ttlSeconds;
      const body = `v1.${id}.${options.difficulty}.${expires}`;
      return {
        challenge: `${body}.${mac(body).toString('base64url')}`,
        difficulty: options.difficulty,
        expiresAt: new Date(expires * 1000).toISOString(),
      };
    },
    async verify(token) {
      if (token === undefined) throw new BotCheckError('Solve a challenge from GET /v1/auth/challenge first');
      const match = SHAPE.exec(token);
      if (!match) throw new BotCheckError('The proof of work is malformed');
      const [, id, difficultyText, expiresText, signature] = match as unknown as string[];
      const body = `v1.${id}.${difficultyText}.${expiresText}`;
      const expected = mac(body);
      const given = Buffer.from(signature!, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        throw new BotCheckError('The challenge was not issued by this server');
      const remaining = Number(expiresText) - Math.floor(now() / 1000);
      if (remaining <= 0) throw new BotCheckError('The challenge has expired; get a new one');
      const digest = createHash('sha256').update(token).digest();
      if (leadingZeroBits(digest) < Number(difficultyText))
        throw new BotCheckError('The proof of work does not meet the difficulty');
      // Last, so a wrong answer does not burn the challenge; set-once, so a replay fails.
      if (!(await options.spend(id!, remaining))) throw new BotCheckError('This challenge was already used');
    },
  };
}
