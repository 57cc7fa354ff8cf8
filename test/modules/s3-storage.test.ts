import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { unzipSync } from 'fflate';
import sharp from 'sharp';
import { createTestApp, type TestApp } from '../support/app.ts';
import { type LocalS3, startLocalS3 } from '../support/s3.ts';
import { as, eventually, newUserId, testAuth } from '../support/test-auth.ts';

describe('users with STORAGE_DRIVER=s3 (s3rver, official SDK)', () => {
  let s3: LocalS3;
  let t: TestApp;
  before(async () => {
    s3 = await startLocalS3();
    t = await createTestApp(s3.env, { routes: testAuth });
  });
  after(async () => {
    await t.close();
    await s3.close();
  });

  it('stores avatar variants in the bucket with immutable caching, served from the bucket URL', async () => {
    const id = newUserId();
    const png = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#09f' } })
      .png()
      .toBuffer();
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'a.png');
    const request = new Request('http://x/', { method: 'PUT', body: form });
    const res = await t.app.inject({
      method: 'PUT',
      url: '/v1/users/me/avatar',
      headers: { ...as(id), 'content-type': request.headers.get('content-type')! },
      payload: Buffer.from(await request.arrayBuffer()),
    });
    assert.equal(res.statusCode, 200, res.body);
    const url = res.json().data.avatarUrls.large as string;
    assert.ok(url.startsWith(`${s3.endpoint}/${s3.bucket}/public/avatars/${id}/`), url);
    const file = await fetch(url);
    assert.equal(file.status, 200);
    assert.equal(file.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal((await sharp(Buffer.from(await file.arrayBuffer())).metadata()).width, 1024);
    assert.equal(t.app.hasRoute({ method: 'GET', url: '/v1/files/*' }), false, 'no local file route');
  });

  it('exports to the bucket and links to it with a presigned URL', async () => {
    const id = newUserId();
    const started = await t.app.inject({ method: 'POST', url: '/v1/users/me/export', headers: as(id) });
    const job = await eventually(async () => {
      const res = await t.app.inject({
        url: `/v1/users/me/export/${started.json().data.id}`,
        headers: as(id),
      });
      return res.json().data.status === 'ready' ? res.json().data : undefined;
    });
    assert.match(job.downloadUrl, /X-Amz-Signature=/);
    const zip = await fetch(job.downloadUrl);
    assert.equal(zip.status, 200);
    const files = unzipSync(new Uint8Array(await zip.arrayBuffer()));
    assert.ok(files['users.json'] && files['couples.json'] && files['manifest.json']);
  });
});
