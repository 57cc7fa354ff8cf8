/**
 * The client's half of the sign-up proof of work (docs/auth.md, "Bot check").
 * GET /v1/auth/challenge answers `{ kind: 'pow', challenge, difficulty, expiresAt }`;
 * `solveChallenge(challenge, difficulty)` returns the `botCheck` value for
 * POST /v1/auth/register: `<challenge>:<nonce>`, where SHA-256 of that text
 * (UTF-8) starts with `difficulty` zero bits.
 *
 * Web Crypto only, so it runs in browsers, workers and Node 20+. Expect about
 * 2^difficulty hashes (difficulty 18: ~260,000); run it in a Web Worker so
 * the page stays responsive, and pass a signal to give up.
 */
export async function solveChallenge(
  challenge: string,
  difficulty: number,
  options: { signal?: AbortSignal; batch?: number } = {},
): Promise<string> {
  const encoder = new TextEncoder();
  const batch = options.batch ?? 256;
  for (let nonce = 0; nonce < Number.MAX_SAFE_INTEGER; nonce += batch) {
    options.signal?.throwIfAborted();
    // Digests of a batch in parallel: Web Crypto is asynchronous per call.
    const candidates = Array.from({ length: batch }, (_, i) => `${challenge}:${nonce + i}`);
    const digests = await Promise.all(
      candidates.map((text) => crypto.subtle.digest('SHA-256', encoder.encode(text))),
    );
    const found = digests.findIndex((digest) => leadingZeroBits(new Uint8Array(digest)) >= difficulty);
    if (found !== -1) return candidates[found]!;
  }
  throw new Error('no nonce found');
}

/** Leading zero bits of a digest, the first byte's high bit first. */
export function leadingZeroBits(digest: Uint8Array): number {
  let bits = 0;
  for (const byte of digest) {
    if (byte !== 0) return bits + Math.clz32(byte) - 24;
    bits += 8;
  }
  return bits;
}
