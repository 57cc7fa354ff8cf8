import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, statfs, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { createTestApp, type TestApp } from '../support/app.ts';
import { as, newUserId, testAuth } from '../support/test-auth.ts';

const run = promisify(execFile);

/** A 1 MB tmpfs needs root (CI runs as root); a laptop without it skips, CI fails. */
function needsRoot(): { skip: string | false } {
  if (process.getuid?.() === 0) return { skip: false };
  if (process.env.CI) throw new Error('the disk-full test mounts a tmpfs: run it as root under CI');
  return { skip: 'mounting a 1 MB tmpfs needs root' };
}

async function upload(t: TestApp, userId: string, image: Buffer) {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(image)], { type: 'image/png' }), 'a.png');
  const request = new Request('http://x/v1/users/me/avatar', { method: 'PUT', body: form });
  return t.app.inject({
    method: 'PUT',
    url: '/v1/users/me/avatar',
    headers: { ...as(userId), 'content-type': request.headers.get('content-type')! },
    payload: Buffer.from(await request.arrayBuffer()),
  });
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

/**
 * The storage directory (DATA_DIR/storage) is a 1 MB tmpfs, filled until an
 * avatar's variants no longer fit: the upload must fail cleanly (503 in the
 * envelope, no row change, no file left behind) and the avatar accepted
 * before must stay whole.
 */
describe('fault: disk full on storage writes', needsRoot(), () => {
  let dataDir: string;
  let storage: string;
  let t: TestApp;
  const user = newUserId();

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'o2o-fault-disk-'));
    storage = path.join(dataDir, 'storage');
    await mkdir(storage);
    await run('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', storage]);
    t = await createTestApp({ DATA_DIR: dataDir }, { routes: testAuth });
  });
  after(async () => {
    await t?.close();
    await run('umount', [storage]).catch(() => {});
    await rm(dataDir, { recursive: true, force: true });
  });

  const profile = async () => {
    const res = await t.app.inject({ url: '/v1/users/me', headers: as(user) });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().data;
  };

  it('answers 503 in the envelope and leaves no half-written file or row; the earlier avatar survives', async () => {
    const small = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#f00' } })
      .png()
      .toBuffer();
    const first = await upload(t, user, small);
    assert.equal(first.statusCode, 200, first.body);
    const accepted = await profile();
    const acceptedFiles = await filesUnder(storage);
    assert.equal(acceptedFiles.length, 3, 'three variants of the first avatar');

    // Random pixels do not compress: the large variant alone is several hundred KB.
    const side = 1024;
    const noise = await sharp(randomBytes(side * side * 3), {
      raw: { width: side, height: side, channels: 3 },
    })
      .png()
      .toBuffer();
    // Fill the disk so that the small variants still fit and the large one does not.
    const { bavail, bsize } = await statfs(storage);
    await writeFile(path.join(storage, 'filler'), Buffer.alloc(Math.max(0, bavail * bsize - 96 * 1024)));

    const full = await upload(t, user, noise);
    assert.equal(full.statusCode, 503, full.body);
    assert.equal(full.json().errors[0].code, 'SERVICE_UNAVAILABLE');
    assert.match(full.json().errors[0].message, /storage/i);
    assert.ok(full.headers['retry-after']);
    // Nothing half-written: the profile and the files are as they were before the attempt.
    assert.deepEqual(await profile(), accepted);
    assert.deepEqual(await filesUnder(storage), [...acceptedFiles, 'filler'].sort());
    const link: string = accepted.avatarUrls.large;
    const large = await t.app.inject({ url: link.startsWith('http') ? new URL(link).pathname : link });
    assert.equal(large.statusCode, 200, 'the accepted avatar is still served');

    // Space freed: the same upload goes through without a restart.
    await rm(path.join(storage, 'filler'));
    const retry = await upload(t, user, noise);
    assert.equal(retry.statusCode, 200, retry.body);
    assert.notDeepEqual((await profile()).avatarUrls, accepted.avatarUrls);
    assert.equal((await filesUnder(storage)).length, 3, 'the new variants replace the old ones');
  });
});
