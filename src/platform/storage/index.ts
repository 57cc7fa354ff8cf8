import path from 'node:path';
import type { Config } from '../config.ts';
import { persistedSecret } from '../security/dev-secrets.ts';
import { createLocalStorage, type LocalStorage } from './local-storage.ts';
import type { S3Storage } from './s3-storage.ts';

export { localFileRoutes } from './file-routes.ts';
export type { ObjectStorage, StoredObject } from './storage.ts';

export type Storage = LocalStorage | S3Storage;

/** The configured storage: local disk under DATA_DIR/storage, or an S3-compatible bucket. */
export async function createStorage(config: Config): Promise<Storage> {
  if (config.storage.driver === 's3') {
    const { s3 } = config.storage;
    // The AWS SDK (about 0.3 s of start-up) is loaded only when a bucket is configured.
    const { createS3Storage } = await import('./s3-storage.ts');
    return createS3Storage({
      bucket: s3.bucket!,
      region: s3.region,
      forcePathStyle: s3.forcePathStyle,
      ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
      ...(s3.accessKeyId ? { accessKeyId: s3.accessKeyId } : {}),
      ...(s3.secretAccessKey ? { secretAccessKey: s3.secretAccessKey } : {}),
      ...(s3.publicUrl ? { publicBaseUrl: s3.publicUrl } : {}),
    });
  }
  const secret = await persistedSecret(config.dataDir, 'storage-link-key', () =>
    Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url'),
  );
  return createLocalStorage({
    root: path.join(config.dataDir, 'storage'),
    baseUrl: config.publicUrl ?? '',
    secret,
  });
}
