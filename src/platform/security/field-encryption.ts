import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  type KeyObject,
  randomBytes,
  randomFillSync,
} from 'node:crypto';

/**
 * AES-256-GCM for sensitive columns (note bodies, coach messages, MFA
 * secrets). The ciphertext is self-describing, `v1.<kid>.<iv>.<tag>.<data>`
 * (base64url parts), so the key that made it travels with it: adding a new
 * key at the front of the ring rotates without rewriting old rows.
 */
export interface FieldEncryption {
  readonly activeKeyId: string;
  encrypt(plaintext: string, context?: string): string;
  decrypt(ciphertext: string, context?: string): string;
  /** The key id a ciphertext was made with (to find rows that need re-encryption). */
  keyIdOf(ciphertext: string): string;
}

export interface KeyRing {
  active: string;
  keys: Map<string, Buffer>;
}

const KID = /^[A-Za-z0-9_-]{1,32}$/;

/** Parses `kid:base64key,kid2:base64key`; the first key encrypts, all decrypt. */
export function parseKeyRing(spec: string): KeyRing {
  const keys = new Map<string, Buffer>();
  let active: string | undefined;
  for (const entry of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const separator = entry.indexOf(':');
    const kid = entry.slice(0, separator);
    const key = Buffer.from(entry.slice(separator + 1), 'base64');
    if (separator < 1 || !KID.test(kid)) throw new Error(`ENCRYPTION_KEYS: "${kid}" is not a valid key id`);
    if (key.length !== 32) throw new Error(`ENCRYPTION_KEYS: key "${kid}" must be 32 bytes, base64-encoded`);
    if (keys.has(kid)) throw new Error(`ENCRYPTION_KEYS: key id "${kid}" appears twice`);
    keys.set(kid, key);
    active ??= kid;
  }
  if (!active) throw new Error('ENCRYPTION_KEYS holds no key');
  return { active, keys };
}

export function generateKeySpec(kid: string): string {
  return `${kid}:${randomBytes(32).toString('base64')}`;
}

const IV_BYTES = 12;
const IVS_PER_FILL = 256;

/**
 * Fresh random IVs, 256 drawn from the CSPRNG at a time: a call into OpenSSL's
 * generator per note was 5% of a send's JavaScript. Each IV is handed out once
 * (GCM must never reuse one under a key); the view is only valid until the next
 * call, which is fine because the cipher copies it and encrypt() encodes it at once.
 */
function ivSource(): () => Buffer {
  const pool = Buffer.allocUnsafe(IV_BYTES * IVS_PER_FILL);
  let offset = pool.length;
  return () => {
    if (offset === pool.length) {
      randomFillSync(pool);
      offset = 0;
    }
    const iv = pool.subarray(offset, offset + IV_BYTES);
    offset += IV_BYTES;
    return iv;
  };
}

export function createFieldEncryption(ring: KeyRing): FieldEncryption {
  const nextIv = ivSource();
  // Key objects, made once: a raw key buffer is copied into a new one on every cipher (an inbox
  // page decrypts 20 bodies).
  const keyObjects = new Map([...ring.keys].map(([kid, key]) => [kid, createSecretKey(key)]));
  const keyFor = (kid: string): KeyObject => {
    const key = keyObjects.get(kid);
    if (!key) throw new Error(`No encryption key with id "${kid}" in the key ring`);
    return key;
  };
  const split = (ciphertext: string) => {
    const parts = ciphertext.split('.');
    if (parts.length !== 5 || parts[0] !== 'v1') throw new Error('Not a field ciphertext');
    return parts as [string, string, string, string, string];
  };
  return {
    activeKeyId: ring.active,
    encrypt(plaintext, context = '') {
      const iv = nextIv();
      const cipher = createCipheriv('aes-256-gcm', keyFor(ring.active), iv);
      // The context (e.g. table.column:rowId) is bound as AAD, so a ciphertext
      // copied into another row or column fails to decrypt.
      cipher.setAAD(Buffer.from(context, 'utf8'));
      // GCM is a stream mode: final() only completes the tag and adds no bytes.
      const data = cipher.update(plaintext, 'utf8');
      cipher.final();
      const tag = cipher.getAuthTag();
      return `v1.${ring.active}.${iv.toString('base64url')}.${tag.toString('base64url')}.${data.toString('base64url')}`;
    },
    decrypt(ciphertext, context = '') {
      const [, kid, iv, tag, data] = split(ciphertext);
      const decipher = createDecipheriv('aes-256-gcm', keyFor(kid), Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      const plaintext = decipher.update(Buffer.from(data, 'base64url'));
      // Checks the tag (throws on a forged or moved ciphertext) before anything is returned;
      // GCM's final() yields no further bytes.
      decipher.final();
      return plaintext.toString('utf8');
    },
    keyIdOf(ciphertext) {
      return split(ciphertext)[1];
    },
  };
}
