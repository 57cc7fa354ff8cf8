import { LRUCache } from 'lru-cache';
import type { FieldEncryption } from '../../platform/security/field-encryption.ts';
import { bodyContext } from './context.ts';

/**
 * Note bodies are stored encrypted (AES-256-GCM, bound to the note's id). A page of 20 notes
 * cost 20 decryptions, about a fifth of an uncached inbox request's CPU, and the same notes are
 * read again and again (both partners' boxes, every time a new note clears their cached pages).
 * This process remembers the plaintext of the ciphertexts it decrypted or wrote lately.
 *
 * The key is the note's id with its ciphertext: a ciphertext copied into another row is
 * still decrypted (and refused) under that row's id, and an edited body is a new ciphertext.
 * Bounded in size, and an entry is dropped ten minutes after it was last used, so a note that
 * was erased leaves the memory soon after; the response cache holds decrypted pages too, for
 * a minute. Nothing of this is written anywhere: at rest the bodies stay encrypted.
 */
const TTL_MS = 10 * 60_000;
const MAX_BYTES = 16 * 1024 * 1024;

type Bodies = LRUCache<string, string>;
const perKeyRing = new WeakMap<FieldEncryption, Bodies>();

function bodiesOf(encryption: FieldEncryption): Bodies {
  let bodies = perKeyRing.get(encryption);
  if (!bodies) {
    const made: Bodies = new LRUCache<string, string>({
      maxSize: MAX_BYTES,
      // UTF-16 in memory: two bytes per code unit, key and value.
      sizeCalculation: (value, key) => 2 * (value.length + key.length) || 1,
      ttl: TTL_MS,
      updateAgeOnGet: true,
    });
    // Expired entries would otherwise stay until a lookup or an eviction reached them. The timer
    // holds the cache weakly: it goes with its key ring (a test's app), and the timer with it.
    const weak = new WeakRef(made);
    const timer = setInterval(() => {
      const bodies = weak.deref();
      if (bodies) bodies.purgeStale();
      else clearInterval(timer);
    }, 60_000).unref();
    perKeyRing.set(encryption, made);
    bodies = made;
  }
  return bodies;
}

/** The plaintext of a note's stored body. */
export function noteBody(encryption: FieldEncryption, noteId: string, ciphertext: string): string {
  const bodies = bodiesOf(encryption);
  const key = noteId + ciphertext;
  const known = bodies.get(key);
  if (known !== undefined) return known;
  const text = encryption.decrypt(ciphertext, bodyContext(noteId));
  bodies.set(key, text);
  return text;
}

/** A body this process just encrypted: its first readers need not decrypt it. */
export function rememberBody(
  encryption: FieldEncryption,
  noteId: string,
  ciphertext: string,
  text: string,
): void {
  bodiesOf(encryption).set(noteId + ciphertext, text);
}
