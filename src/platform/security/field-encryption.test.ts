import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { persistedSecret } from './dev-secrets.ts';
import { createFieldEncryption, generateKeySpec, parseKeyRing } from './field-encryption.ts';

describe('field encryption', () => {
  const oldKey = generateKeySpec('k1');
  const newKey = generateKeySpec('k2');

  it('round-trips Unicode and never repeats a ciphertext', () => {
    const enc = createFieldEncryption(parseKeyRing(oldKey));
    const text = 'Je t’aime 💕 — ありがとう';
    const a = enc.encrypt(text);
    const b = enc.encrypt(text);
    assert.notEqual(a, b);
    assert.ok(!a.includes('aime'));
    assert.equal(enc.decrypt(a), text);
    assert.equal(enc.keyIdOf(a), 'k1');
  });

  it('never hands out an IV twice, across refills of the pooled random bytes', () => {
    const enc = createFieldEncryption(parseKeyRing(oldKey));
    const ivs = new Set<string>();
    const count = 256 * 3 + 7; // three refills and a part
    for (let i = 0; i < count; i++) {
      const sealed = enc.encrypt(`note ${i}`, `ctx:${i}`);
      ivs.add(sealed.split('.')[2] as string);
      assert.equal(enc.decrypt(sealed, `ctx:${i}`), `note ${i}`);
    }
    assert.equal(ivs.size, count);
  });

  it('rotates: the new key encrypts, the old one still decrypts', () => {
    const before = createFieldEncryption(parseKeyRing(oldKey)).encrypt('old secret');
    const rotated = createFieldEncryption(parseKeyRing(`${newKey},${oldKey}`));
    assert.equal(rotated.decrypt(before), 'old secret');
    assert.equal(rotated.keyIdOf(rotated.encrypt('new')), 'k2');
  });

  it('rejects tampering, a wrong context and unknown keys', () => {
    const enc = createFieldEncryption(parseKeyRing(oldKey));
    const sealed = enc.encrypt('hello', 'notes.body:1');
    const parts = sealed.split('.');
    const data = Buffer.from(parts[4]!, 'base64url');
    data[0] = (data[0] ?? 0) ^ 1;
    parts[4] = data.toString('base64url');
    assert.throws(() => enc.decrypt(parts.join('.'), 'notes.body:1'));
    assert.throws(() => enc.decrypt(sealed, 'notes.body:2'));
    assert.equal(enc.decrypt(sealed, 'notes.body:1'), 'hello');
    const other = createFieldEncryption(parseKeyRing(newKey));
    assert.throws(() => other.decrypt(sealed, 'notes.body:1'), /No encryption key with id "k1"/);
  });

  it('reads what earlier versions wrote (stored rows never change)', () => {
    const enc = createFieldEncryption(parseKeyRing(`fixed:${Buffer.alloc(32, 7).toString('base64')}`));
    const stored = 'v1.fixed.NNp0JXk4YC24RUSB.oeVFfEYOxNgq6vdNWKaGsQ.9LJ2H9hO0X3XAIFWZyx-pQ';
    assert.equal(enc.decrypt(stored, 'love_notes_notes.body:0193'), 'Je t’aime 💕');
    assert.throws(() => enc.decrypt(stored, 'love_notes_notes.body:0194'));
    for (const text of ['', 'x', 'a'.repeat(5000), '💕'.repeat(100)]) {
      assert.equal(enc.decrypt(enc.encrypt(text, 'c'), 'c'), text);
    }
  });

  it('refuses malformed key rings', () => {
    assert.throws(() => parseKeyRing('k1:c2hvcnQ='), /32 bytes/);
    assert.throws(() => parseKeyRing(`${oldKey},${oldKey}`), /twice/);
    assert.throws(() => parseKeyRing('bad id:abc'), /not a valid key id/);
  });

  it('generates a development secret once and keeps it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'o2o-secret-'));
    try {
      const results = await Promise.all(
        Array.from({ length: 8 }, () => persistedSecret(dir, 'k', () => generateKeySpec('dev'))),
      );
      assert.equal(new Set(results).size, 1);
      assert.equal(await persistedSecret(dir, 'k', () => 'different'), results[0]);
      assert.equal((await stat(path.join(dir, 'secrets', 'k'))).mode & 0o777, 0o600);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
