import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import zlib from 'node:zlib';
import WebSocket from 'ws';
import { generateKeySpec } from '../../src/platform/security/field-encryption.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { needs, serverUrl } from '../support/servers.ts';
import { checkConfig, ensureNginx, selfSignedCertificate, startNginx, writeProxyConfig } from './nginx.ts';
import { eventually } from './support.ts';

/**
 * deploy/nginx in front of two real API processes on loopback, with Redis
 * shared between them. Clients connect from other loopback addresses
 * (127.0.0.x) than the proxy (127.0.0.1, the API's TRUST_PROXY), so the API
 * sees each as a distinct forwarded client, as it would in production.
 */
const unavailable = await ensureNginx();
const skip = unavailable && !process.env.CI ? { skip: unavailable } : needs('REDIS_URL');
if (unavailable && process.env.CI) throw new Error(`nginx suite under CI: ${unavailable}`);

const PER_IP = 8;

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function request(url: string, options: https.RequestOptions = {}): Promise<Answer> {
  const client = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, { rejectUnauthorized: false, agent: false, ...options }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

function startApi(name: string, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const fixture = path.join(import.meta.dirname, 'fixtures/api-process.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, name], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`API process ${name} exited with ${code}`)));
    child.stdout!.on('data', (chunk) => {
      if (String(chunk).includes(`listening ${name}`)) resolve(child);
    });
  });
}

describe('nginx in front of two API processes', skip, () => {
  let dir: string;
  let database: TestDatabase;
  let apis: ChildProcess[] = [];
  let nginx: ChildProcess | undefined;
  let base: string;
  let plain: string;
  const brotli = existsSync('/etc/nginx/modules-enabled/50-mod-http-brotli-filter.conf');

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'o2o-nginx-'));
    // Worker processes must reach the config and temp directories.
    await chmod(dir, 0o755);
    await mkdir(path.join(dir, 'tls'));
    const [httpsPort, httpPort, portA, portB] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    const [, db] = await Promise.all([selfSignedCertificate(path.join(dir, 'tls')), createTestDatabase()]);
    database = db;
    const shared = {
      ...process.env,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DATABASE_URL: database.url,
      REDIS_URL: serverUrl('REDIS_URL'),
      GATEWAY_REDIS_PREFIX: `o2o:test:${randomUUID()}:`,
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_PER_IP_PER_MINUTE: String(PER_IP),
      TRUST_PROXY: '127.0.0.1',
      ENCRYPTION_KEYS: generateKeySpec('nginx1'),
      DATA_DIR: path.join(dir, 'data'),
    };
    apis = await Promise.all([
      startApi('a', { ...shared, PORT: String(portA) }),
      startApi('b', { ...shared, PORT: String(portB) }),
    ]);
    const config = await writeProxyConfig({ dir, httpsPort, httpPort, upstreams: [portA, portB] }, brotli);
    await checkConfig(config, dir);
    nginx = startNginx(config, dir);
    base = `https://127.0.0.1:${httpsPort}`;
    plain = `http://127.0.0.1:${httpPort}`;
    await eventually(
      async () => (await request(`${base}/health`).catch(() => undefined))?.status === 200,
      10_000,
    );
  });

  after(async () => {
    nginx?.kill('SIGQUIT');
    for (const api of apis) api.kill('SIGTERM');
    await Promise.all(
      [...apis, ...(nginx ? [nginx] : [])].map((p) => (p.exitCode === null ? once(p, 'exit') : null)),
    );
    await database?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('terminates TLS, speaks HTTP/2 and redirects plain HTTP', async () => {
    const health = await request(`${base}/health`);
    assert.equal(health.status, 200);
    assert.equal(JSON.parse(String(health.body)).data.status, 'ok');
    const redirect = await request(`${plain}/v1/whoami`);
    assert.equal(redirect.status, 301);
    assert.match(String(redirect.headers.location), /^https:\/\/127\.0\.0\.1(:\d+)?\/v1\/whoami$/);

    const session = http2.connect(base, { rejectUnauthorized: false });
    const stream = session.request({ ':path': '/health' });
    const [headers] = (await once(stream, 'response')) as [http2.IncomingHttpHeaders];
    stream.resume();
    await once(stream, 'end');
    session.close();
    assert.equal(headers[':status'], 200);
  });

  it('spreads requests over both processes and forwards the real client address', async () => {
    const served = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const res = await request(`${base}/v1/whoami`, { localAddress: '127.0.0.3' });
      assert.equal(res.status, 200);
      const data = JSON.parse(String(res.body)).data;
      served.add(data.process);
      assert.equal(data.ip, '127.0.0.3');
    }
    assert.deepEqual([...served].sort(), ['a', 'b']);
  });

  it('shares rate limits across the two processes through Redis', async () => {
    const statuses: number[] = [];
    const servedOk = new Set<string>();
    for (let i = 0; i < PER_IP + 3; i++) {
      // A forged X-Forwarded-For changes nothing: the API counts the hop nginx saw.
      const res = await request(`${base}/v1/whoami`, {
        localAddress: '127.0.0.4',
        headers: { 'x-forwarded-for': `203.0.113.${i}` },
      });
      statuses.push(res.status);
      if (res.status === 200) servedOk.add(String(res.headers['x-served-by']));
      if (res.status === 429) {
        const body = JSON.parse(String(res.body));
        assert.equal(body.errors[0].code, 'RATE_LIMITED');
        assert.ok(Number(res.headers['retry-after']) >= 1);
        assert.match(String(res.headers.ratelimit), /"ip";r=0;t=\d+/);
      }
    }
    assert.deepEqual(statuses, [...Array(PER_IP).fill(200), 429, 429, 429]);
    assert.deepEqual([...servedOk].sort(), ['a', 'b']);
    // Another client still has its own budget.
    assert.equal((await request(`${base}/v1/whoami`, { localAddress: '127.0.0.5' })).status, 200);
  });

  it('passes WebSocket upgrades through to the realtime endpoint', async () => {
    const socket = new WebSocket(`${base.replace('https', 'wss')}/v1/realtime`, {
      rejectUnauthorized: false,
      localAddress: '127.0.0.6',
    });
    await once(socket, 'open');
    // The endpoint's own protocol answers through the proxy: a first message that is not
    // the JSON auth message closes the socket with 4400 and the reason.
    socket.send('hello');
    const [code, reason] = await once(socket, 'close');
    assert.equal(code, 4400);
    assert.equal(String(reason), 'the first message must be JSON');
  });

  it('compresses JSON with gzip, and with brotli when its module is installed', async () => {
    const gz = await request(`${base}/v1/big`, {
      localAddress: '127.0.0.7',
      headers: { 'accept-encoding': 'gzip' },
    });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.match(JSON.parse(zlib.gunzipSync(gz.body).toString()).data.text, /^love love/);
    if (brotli) {
      const br = await request(`${base}/v1/big`, {
        localAddress: '127.0.0.7',
        headers: { 'accept-encoding': 'br' },
      });
      assert.equal(br.headers['content-encoding'], 'br');
      assert.match(JSON.parse(zlib.brotliDecompressSync(br.body).toString()).data.text, /^love love/);
    }
  });

  it('serves /metrics only to this host; others get a 404 in the envelope, however they spell it', async () => {
    for (const spelling of [
      '/metrics',
      '/metrics?x=1',
      '//metrics',
      '/%6Detrics',
      '/./metrics',
      '/v1/../metrics',
    ]) {
      const res = await request(`${base}${spelling}`, { localAddress: '127.0.0.9' });
      assert.equal(res.status, 404, `${spelling}: ${res.body}`);
      assert.equal(JSON.parse(String(res.body)).errors[0].code, 'NOT_FOUND', spelling);
      assert.doesNotMatch(String(res.body), /process_cpu|http_request_duration/, spelling);
    }
    const local = await request(`${base}/metrics`, { localAddress: '127.0.0.1' });
    assert.equal(local.status, 200);
    assert.match(String(local.body), /http_request_duration_seconds/);
  });

  it('sheds floods per address itself, in the API envelope', async () => {
    // /health is exempt from the API's limits, so any 429 here is nginx's own
    // (limit rewritten to 10/s with a burst of 20 for this suite).
    const agent = new https.Agent({ keepAlive: true, maxSockets: 25 });
    const answers = await Promise.all(
      Array.from({ length: 100 }, () => request(`${base}/health`, { localAddress: '127.0.0.8', agent })),
    );
    agent.destroy();
    const refused = answers.filter((a) => a.status === 429);
    assert.ok(refused.length > 0, 'nginx refused part of the flood');
    assert.ok(answers.filter((a) => a.status === 200).length >= 20, 'the burst allowance passed');
    const body = JSON.parse(String(refused[0]!.body));
    assert.equal(body.errors[0].code, 'RATE_LIMITED');
    assert.equal(refused[0]!.headers['retry-after'], '1');
  });
});
