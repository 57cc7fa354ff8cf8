import path from 'node:path';
import type { Config } from '../../config.ts';
import { persistedSecret } from '../security/dev-secrets.ts';
import { createLocalStorage } from './local-storage.ts';

export { localFileRoutes } from './file-routes.ts';
export type { ObjectStorage, StoredObject } from './storage.ts';

export type Storage = ReturnType<typeof createLocalStorage>;

/** The configured storage. Local disk is the only driver so far (S3 is planned, see docs/users-couples.md). */
export async function createStorage(config: Config): Promise<Storage> {
  const secret = await persistedSecret(config.dataDir, 'storage-link-key', () =>
    Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url'),
  );
  return createLocalStorage({
    root: path.join(config.dataDir, 'storage'),
    baseUrl: config.publicUrl ?? '',
    secret,
  });
}
