import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const NGINX = '/usr/sbin/nginx';

/**
 * nginx from Debian's packages, installed on first use so a clean CI machine
 * runs the suite too (a few seconds, once). Brotli is optional: installed when
 * the package exists. Returns why nginx is unavailable, or undefined.
 */
export async function ensureNginx(): Promise<string | undefined> {
  if (existsSync(NGINX)) return undefined;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await run('apt-get', ['update', '-qq'], { env });
    await run('apt-get', ['install', '-y', '-qq', 'nginx'], { env });
    await run('apt-get', ['install', '-y', '-qq', 'libnginx-mod-http-brotli-filter'], { env }).catch(
      () => {},
    );
  } catch (error) {
    return `nginx is not installed and apt-get could not install it: ${(error as Error).message.split('\n')[0]}`;
  }
  return existsSync(NGINX) ? undefined : 'nginx is not installed and apt-get did not provide it';
}

export interface ProxyLayout {
  dir: string;
  httpsPort: number;
  httpPort: number;
  upstreams: number[];
}

/**
 * Copies deploy/nginx into `dir` and points it at test ports and files. Each
 * replacement must match, so a change to the shipped config that this suite
 * no longer understands fails loudly instead of testing something else.
 */
export async function writeProxyConfig(layout: ProxyLayout, brotli: boolean): Promise<string> {
  const source = path.resolve(import.meta.dirname, '../../deploy/nginx');
  await cp(source, layout.dir, { recursive: true });
  const confDir = path.join(layout.dir, 'one2one');
  // Debian's module snippets load `modules/*.so` relative to the prefix.
  await symlink('/usr/share/nginx/modules', path.join(layout.dir, 'modules'));
  if (brotli) await cp(path.join(layout.dir, 'optional/brotli.conf'), path.join(confDir, '30-brotli.conf'));
  const isRoot = process.getuid?.() === 0;
  await rewrite(path.join(layout.dir, 'nginx.conf'), [
    ['user www-data;', isRoot ? 'user root;' : ''],
    ['/run/nginx.pid', path.join(layout.dir, 'nginx.pid')],
    ['/var/log/nginx/error.log', path.join(layout.dir, 'error.log')],
    ['/var/log/nginx/access.log', path.join(layout.dir, 'access.log')],
    ['/etc/nginx/one2one/', `${confDir}/`],
  ]);
  await rewrite(path.join(confDir, '00-upstream.conf'), [
    ['127.0.0.1:3000', `127.0.0.1:${layout.upstreams[0]}`],
    ['127.0.0.1:3001', `127.0.0.1:${layout.upstreams[1]}`],
  ]);
  // A slower first-line limit than production's, so the flood test trips it
  // even on a loaded machine, while the other tests stay well under it.
  await rewrite(path.join(confDir, '10-maps.conf'), [['rate=50r/s', 'rate=10r/s']]);
  await rewrite(path.join(confDir, '50-api.conf'), [
    ['burst=100 nodelay', 'burst=20 nodelay'],
    ['listen 80;', `listen 127.0.0.1:${layout.httpPort};`],
    ['listen [::]:80;', ''],
    ['listen 443 ssl http2;', `listen 127.0.0.1:${layout.httpsPort} ssl http2;`],
    ['listen [::]:443 ssl http2;', ''],
    ['/etc/nginx/tls/', `${layout.dir}/tls/`],
    // Proxied bodies are buffered under the test directory, not /var/lib/nginx.
    [
      'client_max_body_size 1m;',
      `client_max_body_size 1m;\n    client_body_temp_path ${layout.dir}/body;\n    proxy_temp_path ${layout.dir}/proxy;`,
    ],
  ]);
  return path.join(layout.dir, 'nginx.conf');
}

async function rewrite(file: string, replacements: Array<[string, string]>): Promise<void> {
  let text = await readFile(file, 'utf8');
  for (const [from, to] of replacements) {
    if (!text.includes(from)) throw new Error(`${path.basename(file)} no longer contains "${from}"`);
    text = text.replaceAll(from, to);
  }
  await writeFile(file, text);
}

export async function selfSignedCertificate(dir: string): Promise<void> {
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=localhost',
    '-keyout',
    path.join(dir, 'one2one.key'),
    '-out',
    path.join(dir, 'one2one.crt'),
  ]);
}

export async function checkConfig(config: string, prefix: string): Promise<void> {
  await run(NGINX, ['-t', '-q', '-p', prefix, '-c', config, '-e', path.join(prefix, 'error.log')]);
}

export function startNginx(config: string, prefix: string) {
  return spawn(
    NGINX,
    ['-p', prefix, '-c', config, '-e', path.join(prefix, 'error.log'), '-g', 'daemon off;'],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
}
