import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createFieldEncryption,
  type FieldEncryption,
  generateKeySpec,
  parseKeyRing,
} from '../../platform/security/field-encryption.ts';
import { Bodies, noteBody, rememberBody } from './bodies.ts';
import { bodyContext } from './context.ts';

/** The real encryption, counting its decryptions. */
function countingEncryption(): { encryption: FieldEncryption; decrypted: () => number } {
  const real = createFieldEncryption(parseKeyRing(generateKeySpec('k1')));
  let count = 0;
  const encryption: FieldEncryption = {
    activeKeyId: real.activeKeyId,
    encrypt: (plaintext, context) => real.encrypt(plaintext, context),
    decrypt: (ciphertext, context) => {
      count++;
      return real.decrypt(ciphertext, context);
    },
    keyIdOf: (ciphertext) => real.keyIdOf(ciphertext),
  };
  return { encryption, decrypted: () => count };
}

const NOTE = '0193a5b2-0000-7000-8000-000000000001';
const OTHER = '0193a5b2-0000-7000-8000-000000000002';

describe('note bodies', () => {
  it('decrypts a body once and answers later reads from memory', () => {
    const { encryption, decrypted } = countingEncryption();
    const sealed = encryption.encrypt('Je t’aime 💕', bodyContext(NOTE));
    assert.equal(noteBody(encryption, NOTE, sealed), 'Je t’aime 💕');
    assert.equal(noteBody(encryption, NOTE, sealed), 'Je t’aime 💕');
    assert.equal(decrypted(), 1);
  });

  it('a body the sender just wrote is read without decrypting it', () => {
    const { encryption, decrypted } = countingEncryption();
    const sealed = encryption.encrypt('see you at eight', bodyContext(NOTE));
    rememberBody(encryption, NOTE, sealed, 'see you at eight');
    assert.equal(noteBody(encryption, NOTE, sealed), 'see you at eight');
    assert.equal(decrypted(), 0);
  });

  it('still refuses a known ciphertext copied into another note (the id is part of the key)', () => {
    const { encryption } = countingEncryption();
    const sealed = encryption.encrypt('only for this note', bodyContext(NOTE));
    assert.equal(noteBody(encryption, NOTE, sealed), 'only for this note');
    assert.throws(() => noteBody(encryption, OTHER, sealed));
  });

  it('an edited body (a new ciphertext) is decrypted, not answered with the old text', () => {
    const { encryption } = countingEncryption();
    const before = encryption.encrypt('first words', bodyContext(NOTE));
    const after = encryption.encrypt('better words', bodyContext(NOTE));
    assert.equal(noteBody(encryption, NOTE, before), 'first words');
    assert.equal(noteBody(encryption, NOTE, after), 'better words');
  });

  it('keeps what is used across a generation change and forgets what is not after two', () => {
    const bodies = new Bodies();
    bodies.set('used', 'a');
    bodies.set('unused', 'b');
    bodies.rotate();
    assert.equal(bodies.get('used'), 'a', 'found in the previous generation, moved back');
    bodies.rotate();
    assert.equal(bodies.get('used'), 'a');
    assert.equal(bodies.get('unused'), undefined, 'two generations without a lookup');
  });

  it('starts a new generation once one holds 8 MB, so all of it stays near 16 MB', () => {
    const bodies = new Bodies();
    const big = 'x'.repeat(1024 * 1024); // 2 MB in memory
    for (let i = 0; i < 10; i++) bodies.set(`note ${i}`, big);
    assert.equal(bodies.get('note 0'), undefined, 'dropped with the oldest generation');
    assert.equal(bodies.get('note 9'), big);
  });
});
