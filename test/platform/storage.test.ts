import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLocalStorage } from '../../src/platform/storage/local-storage.ts';
import { createS3Storage } from '../../src/platform/storage/s3-storage.ts';
import type { ObjectStorage } from '../../src/platform/storage/storage.ts';
import { type LocalS3, startLocalS3 } from '../support/s3.ts';

/** One contract, both drivers: what the modules rely on. */
interface Driver {
  storage: ObjectStorage;
  /** Follows a signed link the way a client would; undefined when it is refused. */
  download(url: string): Promise<string | undefined>;
  done(): Promise<void>;
}

function contract(name: string, setup: () => Promise<Driver>) {
  describe(`storage contract: ${name}`, () => {
    let driver: Driver;
    let storage: ObjectStorage;
    before(async () => {
      driver = await setup();
      storage = driver.storage;
    });
    after(() => driver.done());

    it('puts, gets, lists and deletes objects', async () => {
      await storage.put('public/avatars/u1/abc-64.webp', Buffer.from('one'), 'image/webp');
      await storage.put('public/avatars/u1/abc-256.webp', Buffer.from('two'), 'image/webp');
      await storage.put('exports/u1/e1.zip', Buffer.from('zip'), 'application/zip');
      const got = await storage.get('public/avatars/u1/abc-64.webp');
      assert.equal(got?.body.toString(), 'one');
      assert.equal(got?.contentType, 'image/webp');
      assert.equal(await storage.get('public/avatars/u1/missing.webp'), undefined);
      assert.deepEqual(await storage.list('public/avatars/u1/'), [
        'public/avatars/u1/abc-256.webp',
        'public/avatars/u1/abc-64.webp',
      ]);
      assert.deepEqual(await storage.list('public/avatars/nobody/'), []);
      await storage.delete('public/avatars/u1/abc-64.webp');
      assert.deepEqual(await storage.list('public/avatars/u1/'), ['public/avatars/u1/abc-256.webp']);
      await storage.deletePrefix('public/avatars/u1/');
      assert.deepEqual(await storage.list('public/avatars/u1/'), []);
      assert.deepEqual(await storage.list('exports/'), ['exports/u1/e1.zip']);
    });

    it('refuses keys that could escape the storage, and deleting everything', async () => {
      for (const key of ['../x', 'a/../../b', '/abs', 'a//b', 'a b']) {
        await assert.rejects(storage.put(key, Buffer.from('x'), 'text/plain'), /invalid storage key/);
      }
      await assert.rejects(storage.deletePrefix('/'), /whole storage/);
    });

    it('hands out a signed link that downloads a private object', async () => {
      await storage.put('exports/u2/e2.zip', Buffer.from('private bytes'), 'application/zip');
      const url = await storage.signedUrl('exports/u2/e2.zip', new Date(Date.now() + 60_000));
      assert.equal(await driver.download(url), 'private bytes');
      assert.equal(await driver.download(url.replace('e2.zip', 'e3.zip')), undefined);
    });
  });
}

contract('local disk', async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'o2o-storage-'));
  const storage = createLocalStorage({ root, baseUrl: '', secret: 'test-secret' });
  return {
    storage,
    async download(link: string) {
      const url = new URL(link, 'http://local');
      const key = url.pathname.replace(/^\/v1\/files\//, '');
      const expires = Number(url.searchParams.get('expires'));
      if (!storage.verify(key, expires, url.searchParams.get('signature') ?? '')) return undefined;
      return (await storage.get(key))?.body.toString();
    },
    async done() {
      await rm(root, { recursive: true, force: true });
    },
  };
});

contract('S3 (s3rver, official SDK)', async () => {
  const s3: LocalS3 = await startLocalS3();
  const storage = createS3Storage({
    bucket: s3.bucket,
    region: 'us-east-1',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
  });
  return {
    storage,
    async download(url: string) {
      const res = await fetch(url);
      return res.status === 200 ? res.text() : undefined;
    },
    async done() {
      storage.close();
      await s3.close();
    },
  };
});

describe('local signed links', () => {
  it('verify only the key, expiry and secret they were made for', async () => {
    const storage = createLocalStorage({ root: os.tmpdir(), baseUrl: 'https://api.example', secret: 's' });
    const url = new URL(await storage.signedUrl('exports/u/e.zip', new Date(Date.now() + 60_000)));
    assert.equal(url.origin + url.pathname, 'https://api.example/v1/files/exports/u/e.zip');
    const expires = Number(url.searchParams.get('expires'));
    const signature = url.searchParams.get('signature')!;
    assert.equal(storage.verify('exports/u/e.zip', expires, signature), true);
    assert.equal(storage.verify('exports/u/other.zip', expires, signature), false);
    assert.equal(storage.verify('exports/u/e.zip', expires + 1, signature), false);
    const other = createLocalStorage({ root: os.tmpdir(), baseUrl: '', secret: 'other' });
    assert.equal(other.verify('exports/u/e.zip', expires, signature), false);
    const past = new URL(await storage.signedUrl('exports/u/e.zip', new Date(Date.now() - 1000)));
    assert.equal(
      storage.verify(
        'exports/u/e.zip',
        Number(past.searchParams.get('expires')),
        past.searchParams.get('signature')!,
      ),
      false,
    );
  });
});
