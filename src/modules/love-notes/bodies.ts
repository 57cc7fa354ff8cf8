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
 * Nothing of this is written anywhere: at rest the bodies stay encrypted; the response cache
 * holds decrypted pages too, for a minute.
 *
 * Two generations of plain Maps rather than lru-cache: its per-entry TTL bookkeeping cost about
 * 1.6 µs a lookup, a quarter of the decryption it saved. Every five minutes (or once a generation
 * holds 8 MB) the current generation becomes the previous one and the previous one is dropped;
 * a lookup that finds an entry in the previous generation moves it back. So an entry lives 5–10
 * minutes after its last use (an erased note leaves memory soon after), and all of it at most
 * about 16 MB.
 */
const GENERATION_MS = 5 * 60_000;
const GENERATION_BYTES = 8 * 1024 * 1024;

export class Bodies {
  #current = new Map<string, string>();
  #previous = new Map<string, string>();
  #bytes = 0;

  get(key: string): string | undefined {
    const found = this.#current.get(key);
    if (found !== undefined) return found;
    const older = this.#previous.get(key);
    if (older !== undefined) this.set(key, older);
    return older;
  }

  set(key: string, text: string): void {
    // UTF-16 in memory: two bytes per code unit, key and value.
    const bytes = 2 * (key.length + text.length);
    if (this.#bytes + bytes > GENERATION_BYTES) this.rotate();
    this.#current.set(key, text);
    this.#bytes += bytes;
  }

  rotate(): void {
    this.#previous = this.#current;
    this.#current = new Map();
    this.#bytes = 0;
  }
}

const perKeyRing = new WeakMap<FieldEncryption, Bodies>();

function bodiesOf(encryption: FieldEncryption): Bodies {
  let bodies = perKeyRing.get(encryption);
  if (!bodies) {
    const made = new Bodies();
    // The timer holds the cache weakly: it goes with its key ring (a test's app), and the timer with it.
    const weak = new WeakRef(made);
    const timer = setInterval(() => {
      const alive = weak.deref();
      if (alive) alive.rotate();
      else clearInterval(timer);
    }, GENERATION_MS).unref();
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
