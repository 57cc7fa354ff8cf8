import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { crc32, deflateSync } from 'node:zlib';
import { sql } from 'kysely';
import Parser from 'rss-parser';
import sharp from 'sharp';
import { contentContext } from '../../src/modules/content/context.ts';
import { packageVideo } from '../../src/modules/content/video.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { as, newUserId, testAuth } from '../support/test-auth.ts';

const run = promisify(execFile);

/** A one-second test-pattern MP4 made with ffmpeg (Debian's package; CI installs it). */
async function makeVideo(): Promise<Buffer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'o2o-video-'));
  try {
    const file = path.join(dir, 'clip.mp4');
    await run('ffmpeg', [
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=320x240:rate=10',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440',
      '-t',
      '1',
      '-pix_fmt',
      'yuv420p',
      '-c:v',
      'libx264',
      '-c:a',
      'aac',
      '-shortest',
      file,
    ]);
    return await readFile(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A multipart/form-data body with one file field. */
function multipart(body: Buffer, filename = 'upload.bin', type = 'application/octet-stream') {
  const boundary = `----o2o${Math.random().toString(16).slice(2)}`;
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`,
    ),
    body,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** A PNG built by hand: grey 1-bit, any declared size, rows of zeros deflated (a decompression bomb when large). */
function png(width: number, height: number, rows = height): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(1, 8); // bit depth
  header.writeUInt8(0, 9); // greyscale
  const raw = Buffer.alloc(rows * (1 + Math.ceil(width / 8)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('content: podcasts, audio and the media library', () => {
  let t: TestApp;
  const editor = newUserId();
  before(async () => {
    t = await createTestApp({ CONTENT_IMAGE_MAX_PIXELS: '25000000' }, { routes: testAuth });
  });
  after(() => t.close());

  const get = (url: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url, headers });
  const upload = (body: Buffer, filename?: string, type?: string) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/admin/content/media',
      ...merge(multipart(body, filename, type)),
    });
  const merge = (m: ReturnType<typeof multipart>) => ({
    payload: m.payload,
    headers: { ...m.headers, ...as(editor, 'editor') },
  });
  const staff = (method: 'POST' | 'PATCH', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: as(editor, 'editor'), ...(payload ? { payload } : {}) });
  const stored = async () => (await t.platform.storage.list('public/content/')).sort();
  const mediaRows = async () =>
    Number(
      (
        await t.platform.database.db
          .selectFrom('content_media' as never)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('lists the sample show with its feed URL', async () => {
    const res = await get('/v1/content/podcasts');
    assert.equal(res.statusCode, 200, res.body);
    const show = res.json().data.find((s: { slug: string }) => s.slug === 'two-minutes-for-us');
    assert.ok(show);
    assert.match(
      show.feedUrl,
      /^http:\/\/localhost(:\d+)?\/v1\/content\/podcasts\/two-minutes-for-us\/feed\.xml$/,
    );
    assert.equal(show.episodes, 2);
  });

  it('serves an Apple-valid feed that an independent parser reads back, public episodes only', async () => {
    // A premium episode of the same show: never in the public feed, its audio not public.
    const audio = await upload(
      Buffer.concat([Buffer.from('ID3\u0003\u0000\u0000\u0000\u0000\u0000\u0000'), Buffer.alloc(4000, 0xff)]),
      'x.mp3',
    );
    const premiumAudio = (await get('/v1/content/podcasts')).statusCode === 200 ? audio : audio;
    assert.equal(premiumAudio.statusCode, 201, premiumAudio.body);
    const created = await staff('POST', '/v1/admin/content', {
      type: 'podcast-episode',
      slug: 'premium-bonus-episode',
      title: 'Premium bonus',
      excerpt: 'For subscribers.',
      body: 'Bonus.',
      tags: ['podcast'],
      visibility: 'premium',
      show: 'two-minutes-for-us',
      audioMediaId: premiumAudio.json().data.id,
      durationSeconds: 5,
      episodeNumber: 3,
    });
    assert.equal(created.statusCode, 201, created.body);
    await staff('POST', `/v1/admin/content/${created.json().data.id}/publish`);

    const res = await get('/v1/content/podcasts/two-minutes-for-us/feed.xml');
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /^application\/rss\+xml/);
    assert.match(res.body, /xmlns:itunes="http:\/\/www.itunes.com\/dtds\/podcast-1.0.dtd"/);
    const feed = await new Parser({
      customFields: { feed: ['language'], item: [['itunes:duration', 'duration']] },
    }).parseString(res.body);
    assert.equal(feed.title, 'Two Minutes for Us');
    assert.ok(feed.description && feed.description.length > 10);
    assert.equal(feed.language, 'en');
    assert.equal(feed.itunes?.author, 'One 2 One Love');
    assert.deepEqual(feed.itunes?.owner, { name: 'One 2 One Love', email: 'podcast@one2one.love' });
    assert.deepEqual(feed.itunes?.categories, ['Health & Fitness']);
    assert.equal(feed.itunes?.explicit, 'false');
    assert.ok(feed.itunes?.image);
    const cover = await get(new URL(feed.itunes.image).pathname);
    assert.equal(cover.statusCode, 200);
    const { width, height } = await sharp(cover.rawPayload).metadata();
    assert.ok(width === height && width! >= 1400 && width! <= 3000, `cover ${width}×${height}`);

    assert.equal(feed.items.length, 2, 'the premium episode stays out of the public feed');
    assert.ok(feed.items.every((i) => i.title !== 'Premium bonus'));
    for (const item of feed.items) {
      assert.ok(item.title);
      assert.match(item.guid ?? '', /^[0-9a-f-]{36}$/);
      assert.match(item.pubDate ?? '', /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
      assert.match(String((item as { duration?: string }).duration), /^\d+$/);
      assert.equal(item.enclosure?.type, 'audio/mpeg');
      const audio = await get(new URL(item.enclosure!.url).pathname);
      assert.equal(audio.statusCode, 200);
      assert.equal(Number(item.enclosure?.length), audio.rawPayload.length);
    }
    // The same guid on every fetch.
    const again = await new Parser().parseString(
      (await get('/v1/content/podcasts/two-minutes-for-us/feed.xml')).body,
    );
    assert.deepEqual(
      again.items.map((i) => i.guid),
      feed.items.map((i) => i.guid),
    );

    // The premium episode's audio: not for anonymous listeners nor plain members.
    const url = new URL(premiumAudio.json().data.url, 'http://localhost').pathname;
    assert.equal((await get(url)).statusCode, 401);
    assert.equal((await get(url, as(newUserId()))).statusCode, 403);
    assert.equal((await get(url, as(newUserId(), 'editor'))).statusCode, 200);
    assert.equal((await get('/v1/content/podcasts/no-such-show/feed.xml')).statusCode, 404);
  });

  it('creates a show only with a square 1400–3000 px cover', async () => {
    const square = await upload(
      await sharp({ create: { width: 1400, height: 1400, channels: 3, background: '#123456' } })
        .png()
        .toBuffer(),
    );
    const wide = await upload(
      await sharp({ create: { width: 1600, height: 900, channels: 3, background: '#654321' } })
        .png()
        .toBuffer(),
    );
    const show = (imageMediaId: string, slug: string) =>
      staff('POST', '/v1/admin/content/shows', {
        slug,
        title: 'Second show',
        description: 'Another show.',
        author: 'Staff',
        ownerName: 'Staff',
        ownerEmail: 'staff@example.com',
        language: 'en',
        category: 'Health & Fitness',
        explicit: false,
        imageMediaId,
      });
    assert.equal((await show(wide.json().data.id, 'wide-show')).statusCode, 400);
    const created = await show(square.json().data.id, 'second-show');
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().data.episodes, 0);
    assert.equal((await show(square.json().data.id, 'second-show')).statusCode, 409);
    const feed = await new Parser().parseString(
      (await get('/v1/content/podcasts/second-show/feed.xml')).body,
    );
    assert.equal(feed.title, 'Second show');
    assert.equal(feed.items.length, 0);
  });

  it('serves audio with byte ranges: 206, Content-Range, 416, If-Range, 304', async () => {
    const episode = (await get('/v1/content/two-minutes-listening-first')).json().data;
    const path = new URL(episode.episode.audioUrl, 'http://localhost').pathname;
    const whole = await get(path);
    assert.equal(whole.statusCode, 200);
    assert.equal(whole.headers['accept-ranges'], 'bytes');
    assert.equal(whole.headers['content-type'], 'audio/mpeg');
    assert.equal(whole.headers['cache-control'], 'public, max-age=31536000, immutable');
    const size = whole.rawPayload.length;
    assert.ok(size > 1000 && size < 1_000_000);

    const part = await get(path, { range: 'bytes=100-199' });
    assert.equal(part.statusCode, 206);
    assert.equal(part.headers['content-range'], `bytes 100-199/${size}`);
    assert.deepEqual(part.rawPayload, whole.rawPayload.subarray(100, 200));
    const tail = await get(path, { range: 'bytes=-50' });
    assert.equal(tail.statusCode, 206);
    assert.equal(tail.headers['content-range'], `bytes ${size - 50}-${size - 1}/${size}`);
    const open = await get(path, { range: `bytes=${size - 10}-` });
    assert.equal(open.rawPayload.length, 10);

    const outside = await get(path, { range: `bytes=${size + 10}-${size + 20}` });
    assert.equal(outside.statusCode, 416);
    assert.equal(outside.headers['content-range'], `bytes */${size}`);
    const stale = await get(path, { range: 'bytes=0-9', 'if-range': '"another-version"' });
    assert.equal(stale.statusCode, 200, 'If-Range with another ETag gets the whole file');
    assert.equal((await get(path, { 'if-none-match': String(whole.headers.etag) })).statusCode, 304);
  });

  it('strips EXIF, stores under a content hash, and makes named WebP/AVIF variants on first request', async () => {
    const photo = await sharp({ create: { width: 900, height: 600, channels: 3, background: '#c36' } })
      .jpeg()
      .withExif({ IFD0: { Copyright: 'secret-gps-place' } })
      .toBuffer();
    assert.ok((await sharp(photo).metadata()).exif, 'the input has EXIF');
    const res = await upload(photo, 'photo.png', 'image/png');
    assert.equal(res.statusCode, 201, res.body);
    const media = res.json().data;
    assert.equal(media.contentType, 'image/jpeg', 'the type comes from the bytes, not the name or header');
    assert.equal(media.width, 900);
    const original = await get(new URL(media.url, 'http://localhost').pathname);
    assert.equal(original.statusCode, 200);
    assert.equal((await sharp(original.rawPayload).metadata()).exif, undefined);
    assert.ok(!original.rawPayload.includes(Buffer.from('secret-gps-place')));
    // The same bytes again: the same file, not a second one.
    assert.equal((await upload(photo)).json().data.id, media.id);

    const card = new URL(media.variants.card, 'http://localhost').pathname;
    const before = await stored();
    const webp = await get(card, { accept: 'image/webp,*/*' });
    assert.equal(webp.statusCode, 200);
    assert.equal(webp.headers['content-type'], 'image/webp');
    assert.equal(webp.headers.vary, 'Accept');
    assert.equal(webp.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.ok(webp.headers.etag);
    assert.equal((await sharp(webp.rawPayload).metadata()).width, 640);
    const avif = await get(card, { accept: 'image/avif,image/webp,*/*' });
    assert.equal(avif.headers['content-type'], 'image/avif');
    assert.notEqual(avif.headers.etag, webp.headers.etag);
    const named = await get(`${card}.avif`);
    assert.equal(named.headers['content-type'], 'image/avif');
    assert.equal(named.headers.vary, undefined, 'a named format is not negotiated');
    assert.equal((await stored()).length, before.length + 2, 'each variant is stored once');
    assert.equal(
      (await get(card, { 'if-none-match': String(webp.headers.etag), accept: 'image/webp' })).statusCode,
      304,
    );
    assert.equal(
      (await get(`/v1/content/media/${media.url.split('/').pop().split('.')[0]}/huge`)).statusCode,
      400,
    );
  });

  it('refuses a wrong type, huge dimensions and a decompression bomb with 4xx, storing nothing', async () => {
    const files = await stored();
    const rows = await mediaRows();
    const text = await upload(
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
      'a.png',
      'image/png',
    );
    assert.equal(text.statusCode, 415, text.body);
    const exe = await upload(Buffer.from('MZ\u0090\u0000'.padEnd(200, '\u0000')), 'a.jpg', 'image/jpeg');
    assert.equal(exe.statusCode, 415);
    const huge = await upload(png(100_000, 100_000, 1));
    assert.equal(huge.statusCode, 400, huge.body);
    assert.match(huge.json().errors[0].message, /100000×100000/);
    const bomb = png(12_000, 12_000);
    assert.ok(bomb.length < 200_000, `the bomb is small on the wire (${bomb.length} bytes)`);
    const exploded = await upload(bomb);
    assert.equal(exploded.statusCode, 400, exploded.body);
    const truncated = await upload(png(400, 400).subarray(0, 60));
    assert.ok(truncated.statusCode === 415 || truncated.statusCode === 400, truncated.body);
    const notMultipart = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/content/media',
      headers: { ...as(editor, 'editor'), 'content-type': 'application/json' },
      payload: {},
    });
    assert.equal(notMultipart.statusCode, 415);
    const asUser = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/content/media',
      ...multipart(png(10, 10)),
      headers: { ...multipart(png(10, 10)).headers, ...as(newUserId()) },
    });
    assert.equal(asUser.statusCode, 403);
    assert.deepEqual(await stored(), files);
    assert.equal(await mediaRows(), rows);
  });

  it('packages an uploaded video into HLS: two renditions and a master playlist, cached for good', async () => {
    const video = await makeVideo();
    const res = await upload(video, 'clip.mp4', 'video/mp4');
    assert.equal(res.statusCode, 201, res.body);
    const media = res.json().data;
    assert.equal(media.kind, 'video');
    assert.equal(media.status, 'processing');
    const master = new URL(media.url, 'http://localhost').pathname;
    assert.equal((await get(master)).statusCode, 404, 'nothing to play before the job ran');
    const jobs = await sql<{ n: number }>`select count(*)::int as n from graphile_worker._private_jobs j
      join graphile_worker._private_tasks t on t.id = j.task_id
      where t.identifier = 'content.package-video' and j.payload->>'mediaId' = ${media.id}`.execute(
      t.platform.database.db,
    );
    assert.equal(jobs.rows[0]?.n, 1, 'the packaging job was scheduled with the upload');

    await packageVideo(contentContext(t.platform), media.id);
    const playlist = await get(master);
    assert.equal(playlist.statusCode, 200, playlist.body);
    assert.equal(playlist.headers['content-type'], 'application/vnd.apple.mpegurl');
    assert.equal(playlist.headers['cache-control'], 'public, max-age=31536000, immutable');
    const variants = playlist.body.split('\n').filter((line) => line.startsWith('#EXT-X-STREAM-INF'));
    assert.equal(variants.length, 2, playlist.body);
    assert.match(playlist.body, /RESOLUTION=\d+x240/);
    assert.match(playlist.body, /RESOLUTION=\d+x480/);
    const rendition = await get(master.replace('master.m3u8', 'v0/index.m3u8'));
    assert.equal(rendition.statusCode, 200);
    const segment = rendition.body.split('\n').find((line) => line.endsWith('.ts'));
    assert.ok(segment, rendition.body);
    const ts = await get(master.replace('master.m3u8', `v0/${segment}`));
    assert.equal(ts.statusCode, 200);
    assert.equal(ts.headers['content-type'], 'video/mp2t');
    assert.equal(ts.rawPayload[0], 0x47, 'an MPEG-TS sync byte');
    assert.equal(
      (await get(master.replace('master.m3u8', 'v0/../../x.ts'))).statusCode,
      400,
      'only package file names',
    );
  });

  it('refuses a file over the size limit with 413, and a video without ffmpeg with a clear 415', async () => {
    const small = await createTestApp(
      { CONTENT_MEDIA_MAX_BYTES: '65536', CONTENT_FFMPEG_PATH: '/nonexistent/ffmpeg' },
      { routes: testAuth },
    );
    const send = (body: Buffer) => {
      const m = multipart(body);
      return small.app.inject({
        method: 'POST',
        url: '/v1/admin/content/media',
        payload: m.payload,
        headers: { ...m.headers, ...as(editor, 'editor') },
      });
    };
    try {
      const res = await send(Buffer.alloc(100_000, 1));
      assert.equal(res.statusCode, 413, res.body);
      const video = await makeVideo();
      assert.ok(video.length < 65_536, `${video.length} bytes`);
      const refused = await send(video);
      assert.equal(refused.statusCode, 415, refused.body);
      assert.match(refused.json().errors[0].message, /ffmpeg/);
      assert.deepEqual(await small.platform.storage.list('content/'), []);
    } finally {
      await small.close();
    }
  });
});
