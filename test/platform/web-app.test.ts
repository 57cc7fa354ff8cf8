import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from '../support/app.ts';

// A build's shape (web/dist) without running Vite: this suite is about how the API serves it.
async function fakeBuild(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'o2o-web-dist-'));
  await mkdir(path.join(dir, 'assets'));
  await writeFile(
    path.join(dir, 'index.html'),
    '<!doctype html><title>app</title><script src="/assets/app-1a2b.js"></script>',
  );
  await writeFile(path.join(dir, 'assets', 'app-1a2b.js'), 'console.log("app")');
  await writeFile(path.join(dir, 'sw.js'), 'self.addEventListener("fetch", () => {})');
  await writeFile(path.join(dir, 'manifest.webmanifest'), '{"name":"One 2 One Love"}');
  return dir;
}

describe('the web app served by the API process', () => {
  let t: TestApp;
  let dir: string;
  const html = { accept: 'text/html,application/xhtml+xml' };

  before(async () => {
    dir = await fakeBuild();
    t = await createTestApp({ WEB_APP_DIR: dir });
  });
  after(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the page at / and at any page path, revalidated on every load, with the page CSP', async () => {
    for (const url of ['/', '/notes', '/admin/users/42', '/invite/ABCD-1234?x=1']) {
      const page = await t.app.inject({ url, headers: html });
      assert.equal(page.statusCode, 200, url);
      assert.match(page.body, /<title>app<\/title>/, url);
      assert.equal(page.headers['cache-control'], 'no-cache', url);
      assert.match(String(page.headers['content-type']), /^text\/html/, url);
      assert.match(String(page.headers['content-security-policy']), /script-src 'self'/, url);
      assert.match(String(page.headers['content-security-policy']), /connect-src 'self'/, url);
    }
  });

  it('caches hashed assets for a year as immutable, with validators; the worker and manifest revalidate', async () => {
    const asset = await t.app.inject({ url: '/assets/app-1a2b.js' });
    assert.equal(asset.statusCode, 200);
    assert.equal(asset.body, 'console.log("app")');
    assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.ok(asset.headers.etag);
    const again = await t.app.inject({
      url: '/assets/app-1a2b.js',
      headers: { 'if-none-match': String(asset.headers.etag) },
    });
    assert.equal(again.statusCode, 304);
    for (const url of ['/sw.js', '/manifest.webmanifest']) {
      const file = await t.app.inject({ url });
      assert.equal(file.statusCode, 200, url);
      assert.equal(file.headers['cache-control'], 'no-cache', url);
    }
  });

  it('leaves the API its own answers: unknown API paths, missing assets and non-page requests are 404 envelopes', async () => {
    for (const [method, url, headers] of [
      ['GET', '/v1/no-such-thing', html],
      ['GET', '/assets/missing-ffff.js', {}],
      ['GET', '/notes', { accept: 'application/json' }],
      ['POST', '/notes', html],
      ['DELETE', '/v1/no-such-thing', {}],
    ] as const) {
      const res = await t.app.inject({ method, url, headers });
      assert.equal(res.statusCode, 404, `${method} ${url}`);
      assert.equal(res.json().errors[0].code, 'NOT_FOUND', `${method} ${url}`);
    }
    const api404 = await t.app.inject({ url: '/v1/no-such-thing', headers: html });
    assert.equal(api404.headers['content-security-policy'], "default-src 'none';frame-ancestors 'none'");
    // A known API path keeps its 405 (the page route must not hide it), and a file route's
    // wildcard is a route like any other; the page route itself is no route for the API's paths.
    for (const [method, url, allow] of [
      ['DELETE', '/health', 'GET, HEAD'],
      ['POST', '/assets/app-1a2b.js', 'GET, HEAD'],
      ['PUT', '/sw.js', 'GET, HEAD'],
    ] as const) {
      const wrongMethod = await t.app.inject({ method, url, headers: html });
      assert.equal(wrongMethod.statusCode, 405, `${method} ${url}`);
      assert.equal(wrongMethod.headers.allow, allow, `${method} ${url}`);
      assert.equal(wrongMethod.json().errors[0].code, 'METHOD_NOT_ALLOWED');
    }
  });

  it('is not part of the OpenAPI document', async () => {
    const document = (await t.app.inject({ url: '/v1/openapi.json' })).json() as {
      paths: Record<string, unknown>;
    };
    assert.equal(
      Object.keys(document.paths).some(
        (p) => p === '/' || p.startsWith('/assets') || p === '/{*}' || p === '/sw.js',
      ),
      false,
    );
  });
});
