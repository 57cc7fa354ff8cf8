import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { referenceTotp } from '../../../test/support/totp.ts';
import { matchingStep, newTotpSecret } from './totp.ts';

// RFC 6238 appendix B: 8 digits, 30 s steps, one seed per hash.
const SEEDS = {
  SHA1: Buffer.from('12345678901234567890'),
  SHA256: Buffer.from('12345678901234567890123456789012'),
  SHA512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'),
};
const VECTORS: Array<[number, string, string, string]> = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

describe('TOTP', () => {
  it('matches the RFC 6238 test vectors', () => {
    for (const [time, sha1, sha256, sha512] of VECTORS) {
      for (const [algorithm, expected] of [
        ['SHA1', sha1],
        ['SHA256', sha256],
        ['SHA512', sha512],
      ] as const) {
        const totp = new TOTP({
          algorithm,
          digits: 8,
          period: 30,
          secret: new Secret({ buffer: new Uint8Array(SEEDS[algorithm]).buffer }),
        });
        assert.equal(totp.generate({ timestamp: time * 1000 }), expected, `${algorithm} at ${time}`);
        assert.equal(referenceTotp(SEEDS[algorithm], time, 8, algorithm.toLowerCase()), expected);
      }
    }
  });

  it('accepts codes one step either side and nothing further', () => {
    const secret = newTotpSecret();
    const key = Buffer.from(Secret.fromBase32(secret).bytes);
    const now = 1_800_000_015_000;
    const step = Math.floor(now / 30_000);
    for (const offset of [-1, 0, 1]) {
      const code = referenceTotp(key, now / 1000 + offset * 30);
      assert.equal(matchingStep(secret, code, now), step + offset);
    }
    for (const offset of [-3, -2, 2, 3]) {
      assert.equal(matchingStep(secret, referenceTotp(key, now / 1000 + offset * 30), now), null);
    }
    assert.equal(matchingStep(secret, '12345', now), null);
    assert.equal(matchingStep(secret, 'abcdef', now), null);
  });
});
