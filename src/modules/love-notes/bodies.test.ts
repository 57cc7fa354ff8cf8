import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createFieldEncryption,
  type FieldEncryption,
  generateKeySpec,
  parseKeyRing,
} from '../../platform/security/field-encryption.ts';
import { noteBody, rememberBody } from './bodies.ts';
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
});
