import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { assertValidKey, contentTypeOf, type ObjectStorage } from './storage.ts';

export interface LocalStorageOptions {
  /** Root directory, e.g. DATA_DIR/storage. */
  root: string;
  /** Prefix of links, e.g. `https://api.example.com` or '' for root-relative links. */
  baseUrl: string;
  /** HMAC key for signed links. */
  secret: string;
}

/**
 * Files on local disk, served by `localFileRoutes`. Writes go to a side file
 * and are renamed into place, so a reader never sees half an object.
 */
export interface LocalStorage extends ObjectStorage {
  readonly kind: 'local';
  verify(key: string, expires: number, signature: string): boolean;
}

export function createLocalStorage(options: LocalStorageOptions): LocalStorage {
  const fileOf = (key: string) => {
    assertValidKey(key);
    return path.join(options.root, ...key.split('/'));
  };
  const sign = (key: string, expires: number) =>
    createHmac('sha256', options.secret).update(`${key}\n${expires}`).digest('base64url');
  const linkOf = (key: string) => `${options.baseUrl}/v1/files/${key}`;

  return {
    kind: 'local',
    async put(key, body) {
      const file = fileOf(key);
      await mkdir(path.dirname(file), { recursive: true });
      const temp = `${file}.${process.pid}.tmp`;
      try {
        await writeFile(temp, body);
        await rename(temp, file);
      } catch (error) {
        // A write cut short (a full disk) must not leave half a file behind.
        await rm(temp, { force: true });
        throw error;
      }
    },
    async get(key) {
      try {
        return { body: await readFile(fileOf(key)), contentType: contentTypeOf(key) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async list(prefix) {
      const dir = path.join(options.root, ...prefix.split('/').filter(Boolean));
      try {
        const entries = await readdir(dir, { recursive: true, withFileTypes: true });
        return entries
          .filter((entry) => entry.isFile() && !entry.name.endsWith('.tmp'))
          .map((entry) => path.relative(options.root, path.join(entry.parentPath, entry.name)))
          .map((relative) => relative.split(path.sep).join('/'))
          .sort();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
    },
    async delete(key) {
      await rm(fileOf(key), { force: true });
    },
    async deletePrefix(prefix) {
      const parts = prefix.split('/').filter(Boolean);
      if (parts.length === 0) throw new Error('refusing to delete the whole storage');
      assertValidKey(parts.join('/'));
      await rm(path.join(options.root, ...parts), { recursive: true, force: true });
    },
    publicUrl: linkOf,
    async signedUrl(key, expiresAt) {
      const expires = Math.floor(expiresAt.getTime() / 1000);
      return `${linkOf(key)}?expires=${expires}&signature=${sign(key, expires)}`;
    },
    verify(key, expires, signature) {
      if (!Number.isInteger(expires) || expires * 1000 < Date.now()) return false;
      const expected = Buffer.from(sign(key, expires));
      const given = Buffer.from(signature);
      return expected.length === given.length && timingSafeEqual(expected, given);
    },
  };
}
