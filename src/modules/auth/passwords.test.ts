import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../../platform/http/errors.ts';
import { assertAcceptablePassword, createPasswordHasher } from './passwords.ts';
import { delayAfter } from './throttle.ts';

function rejection(password: string, email = 'ana@example.test'): string | undefined {
  try {
    assertAcceptablePassword(password, email);
    return undefined;
  } catch (error) {
    assert.ok(error instanceof AppError);
    assert.equal(error.status, 400);
    return error.message;
  }
}

describe('password policy', () => {
  it('takes 12 to 128 characters with no composition rules', () => {
    assert.equal(rejection('all lower case words here'), undefined);
    assert.match(rejection('short pass1') ?? '', /12 to 128/);
    assert.match(rejection('x'.repeat(129)) ?? '', /12 to 128/);
    assert.equal(rejection('ü'.repeat(12)), undefined);
  });

  it('refuses common passwords, also with digits or symbols stuck on', () => {
    assert.match(rejection('qwerty123456') ?? '', /too common/);
    assert.match(rejection('QWERTY123456') ?? '', /too common/);
    assert.match(rejection('password1234567!') ?? '', /too common/);
  });

  it('refuses passwords containing the email local part', () => {
    assert.match(rejection('my-name-is-anabel-ok', 'anabel@example.test') ?? '', /email/);
  });
});

describe('password hashing', () => {
  it('hashes with argon2id, verifies, and flags hashes made with other parameters', async () => {
    const light = await createPasswordHasher(true);
    const hashed = await light.hash('violet-harbor-lantern-42');
    assert.match(hashed, /^\$argon2id\$/);
    assert.equal(await light.verify(hashed, 'violet-harbor-lantern-42'), true);
    assert.equal(await light.verify(hashed, 'violet-harbor-lantern-43'), false);
    assert.equal(await light.verify('not a hash', 'x'), false);
    assert.equal(light.needsRehash(hashed), false);
    const production = await createPasswordHasher(false);
    assert.equal(production.needsRehash(hashed), true);
  });
});

describe('login throttle schedule', () => {
  it('grows the delay, then locks', () => {
    const policy = { free: 3, lockAt: 10 };
    assert.deepEqual(
      [1, 2, 3, 4, 5, 9, 10].map((n) => delayAfter(n, policy)),
      [0, 0, 1, 2, 4, 64, 900],
    );
  });
});
