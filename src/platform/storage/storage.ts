/**
 * Object storage as the modules see it: put, get and delete bytes by key, and
 * hand out links. Keys under `public/` are immutable, content-addressed objects
 * (avatars) served to anyone with long cache lifetimes; every other key is
 * private and reachable only through a signed, expiring link (exports).
 */
export interface StoredObject {
  body: Buffer;
  contentType: string;
}

export interface ObjectStorage {
  readonly kind: 'local' | 's3';
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  get(key: string): Promise<StoredObject | undefined>;
  /** Keys under a prefix (e.g. `public/avatars/<user>/`), for cleanup and tests. */
  list(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
  deletePrefix(prefix: string): Promise<void>;
  /** Link to a `public/` object. */
  publicUrl(key: string): string;
  /** Link to a private object that stops working at `expiresAt`. */
  signedUrl(key: string, expiresAt: Date): Promise<string>;
}

// Keys are built by our code, never taken from a request as-is; this check makes
// a mistake there fail loudly instead of reaching outside the storage root.
const KEY = /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/i;

export function assertValidKey(key: string): void {
  if (!KEY.test(key) || key.split('/').some((part) => part === '..' || part === '.')) {
    throw new Error(`invalid storage key: ${key}`);
  }
}

export function isPublicKey(key: string): boolean {
  return key.startsWith('public/');
}

/** Public objects have content-hashed names, so they may be cached forever. */
export function cacheControlOf(key: string): string {
  return isPublicKey(key) ? 'public, max-age=31536000, immutable' : 'private, no-store';
}

const TYPES: Record<string, string> = {
  webp: 'image/webp',
  zip: 'application/zip',
  json: 'application/json',
};

export function contentTypeOf(key: string): string {
  return TYPES[key.slice(key.lastIndexOf('.') + 1).toLowerCase()] ?? 'application/octet-stream';
}
