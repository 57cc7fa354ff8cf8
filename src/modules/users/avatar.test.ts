import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { as, newUserId, testAuth } from '../../../test/support/test-auth.ts';

/** A valid PNG that declares width × height 1-bit pixels of zeros: tiny on disk, huge once decoded. */
function pngBomb(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // greyscale
  const raw = Buffer.alloc(height * (1 + Math.ceil(width / 8)));
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('users: avatar upload', () => {
  let t: TestApp;
  let baseUrl: string;
  before(async () => {
    t = await createTestApp({}, { routes: testAuth });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  after(() => t.close());

  async function upload(userId: string, body: Buffer, filename: string, type: string) {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(body)], { type }), filename);
    const res = await fetch(`${baseUrl}/v1/users/me/avatar`, {
      method: 'PUT',
      headers: as(userId),
      body: form,
    });
    return {
      status: res.status,
      body: (await res.json()) as { data: Record<string, never>; errors: [{ code: string }] },
    };
  }

  async function assertNothingStored(userId: string) {
    assert.deepEqual(await t.platform.storage.list(`public/avatars/${userId}/`), []);
    const me = await t.app.inject({ url: '/v1/users/me', headers: as(userId) });
    assert.equal(me.json().data.avatarUrl, null);
  }

  it('resizes a JPEG into 64, 256 and 1024 px WebP variants served as immutable files', async () => {
    const id = newUserId();
    const jpeg = await sharp({ create: { width: 1600, height: 900, channels: 3, background: '#c03' } })
      .jpeg()
      .withMetadata({ exif: { IFD0: { Copyright: 'secret gps place' } } })
      .toBuffer();
    const res = await upload(id, jpeg, 'me.jpg', 'image/jpeg');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const urls = res.body.data.avatarUrls as unknown as Record<string, string>;
    assert.equal(res.body.data.avatarUrl, urls.medium);
    for (const [name, size] of [
      ['small', 64],
      ['medium', 256],
      ['large', 1024],
    ] as const) {
      assert.match(urls[name]!, new RegExp(`^/v1/files/public/avatars/${id}/[0-9a-f]{20}-${size}\\.webp$`));
      const file = await t.app.inject({ url: urls[name]! });
      assert.equal(file.statusCode, 200);
      assert.equal(file.headers['content-type'], 'image/webp');
      assert.equal(file.headers['cache-control'], 'public, max-age=31536000, immutable');
      const meta = await sharp(file.rawPayload).metadata();
      assert.equal(meta.format, 'webp');
      assert.equal(meta.width, size);
      assert.equal(meta.height, size);
      assert.equal(meta.exif, undefined, 'metadata is stripped');
    }
    // Replacing the avatar removes the previous files.
    const png = await sharp({ create: { width: 300, height: 300, channels: 4, background: '#0a0' } })
      .png()
      .toBuffer();
    const second = await upload(id, png, 'x.png', 'image/png');
    assert.equal(second.status, 200);
    assert.equal((await t.platform.storage.list(`public/avatars/${id}/`)).length, 3);
  });

  it('accepts WebP and a JPEG over the JSON body limit', async () => {
    const id = newUserId();
    const noise = await sharp(randomBytes(1400 * 1400 * 3), {
      raw: { width: 1400, height: 1400, channels: 3 },
    })
      .jpeg({ quality: 100 })
      .toBuffer();
    assert.ok(noise.length > 1_048_576, 'bigger than BODY_LIMIT_BYTES');
    assert.equal((await upload(id, noise, 'big.jpg', 'image/jpeg')).status, 200);
    const webp = await sharp({ create: { width: 80, height: 80, channels: 3, background: '#00f' } })
      .webp()
      .toBuffer();
    assert.equal((await upload(id, webp, 'a.webp', 'image/webp')).status, 200);
  });

  it('refuses a renamed non-image with 415 and stores nothing', async () => {
    const id = newUserId();
    const res = await upload(id, Buffer.from('#!/bin/sh\necho not an image\n'), 'photo.jpg', 'image/jpeg');
    assert.equal(res.status, 415);
    assert.equal(res.body.errors[0].code, 'UNSUPPORTED_MEDIA_TYPE');
    const gif = Buffer.from('R0lGODlhAQABAAAAACwAAAAAAQABAAA=', 'base64');
    assert.equal((await upload(id, gif, 'a.png', 'image/png')).status, 415);
    await assertNothingStored(id);
  });

  it('refuses a truncated image with 415', async () => {
    const id = newUserId();
    const jpeg = await sharp({ create: { width: 400, height: 400, channels: 3, background: '#888' } })
      .jpeg()
      .toBuffer();
    const res = await upload(id, jpeg.subarray(0, Math.floor(jpeg.length / 2)), 'cut.jpg', 'image/jpeg');
    assert.equal(res.status, 415);
    await assertNothingStored(id);
  });

  it('refuses a file over 10 MB with 413 and stores nothing', async () => {
    const id = newUserId();
    const jpegStart = Buffer.from([0xff, 0xd8, 0xff, 0xe0]);
    const res = await upload(
      id,
      Buffer.concat([jpegStart, Buffer.alloc(10 * 1024 * 1024)]),
      'huge.jpg',
      'image/jpeg',
    );
    assert.equal(res.status, 413);
    assert.equal(res.body.errors[0].code, 'PAYLOAD_TOO_LARGE');
    await assertNothingStored(id);
  });

  it('refuses a decompression bomb (400 megapixels in a small PNG) with 400 before decoding it', async () => {
    const id = newUserId();
    const bomb = pngBomb(20_000, 20_000);
    assert.ok(bomb.length < 200_000, `the bomb is small on the wire (${bomb.length} bytes)`);
    const heapBefore = process.memoryUsage().rss;
    const started = Date.now();
    const res = await upload(id, bomb, 'bomb.png', 'image/png');
    assert.equal(res.status, 400);
    assert.equal(res.body.errors[0].code, 'VALIDATION_ERROR');
    assert.ok(Date.now() - started < 2000, 'rejected from the header, not after decoding');
    assert.ok(process.memoryUsage().rss - heapBefore < 200 * 1024 * 1024, 'no gigabyte allocation');
    await assertNothingStored(id);
  });

  it('answers a request without a file or not multipart with a 4xx', async () => {
    const id = newUserId();
    const json = await t.app.inject({
      method: 'PUT',
      url: '/v1/users/me/avatar',
      headers: as(id),
      payload: {},
    });
    assert.equal(json.statusCode, 415, json.body);
    const form = new FormData();
    form.append('other', 'x');
    const res = await fetch(`${baseUrl}/v1/users/me/avatar`, { method: 'PUT', headers: as(id), body: form });
    assert.ok(res.status >= 400 && res.status < 500, String(res.status));
  });

  it('removes the avatar', async () => {
    const id = newUserId();
    const png = await sharp({ create: { width: 100, height: 100, channels: 3, background: '#111' } })
      .png()
      .toBuffer();
    await upload(id, png, 'a.png', 'image/png');
    const res = await t.app.inject({ method: 'DELETE', url: '/v1/users/me/avatar', headers: as(id) });
    assert.equal(res.statusCode, 200);
    await assertNothingStored(id);
  });

  it('serves no file outside the storage and no private file without a valid signature', async () => {
    for (const url of [
      '/v1/files/../secrets/encryption-keys',
      '/v1/files/%2e%2e/secrets/encryption-keys',
      '/v1/files/exports/x/y.zip',
      '/v1/files/exports/x/y.zip?expires=9999999999&signature=abc',
      '/v1/files/public/avatars/nope.webp',
    ]) {
      const res = await t.app.inject({ url });
      assert.ok([400, 404].includes(res.statusCode), `${url} → ${res.statusCode}`);
    }
  });
});
