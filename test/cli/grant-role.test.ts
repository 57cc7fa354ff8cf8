import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from '../support/app.ts';
import { bearer, type Call, caller, PASSWORD, registerUser } from '../support/auth.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** `npm run cli -- <args>` as an operator runs it: a real process on the app's database. */
function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const clean = { ...process.env };
  for (const name of ['REDIS_URL', 'NATS_URL']) delete clean[name];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: ROOT,
    env: { ...clean, NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

describe('npm run cli -- users:grant-role', () => {
  let t: TestApp;
  let call: Call;
  let env: Record<string, string>;
  before(async () => {
    t = await createTestApp();
    call = caller(t.app);
    env = { DATABASE_URL: t.database.url };
  });
  after(() => t.close());

  const login = async (email: string) => {
    const res = await call({ method: 'POST', url: '/v1/auth/login', payload: { email, password: PASSWORD } });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().data as { accessToken: string; refreshToken: string; user: { role: string } };
  };
  const auditLog = (token: string) => call({ url: '/v1/auth/audit-log', headers: bearer(token) });

  it('makes the first admin: after a fresh sign-in an admin-only route answers 200', async () => {
    const user = await registerUser(call);
    assert.equal((await auditLog(user.accessToken)).statusCode, 403);

    const granted = await cli(['users:grant-role', user.email.toUpperCase(), 'admin'], env);
    assert.equal(granted.code, 0, granted.output);
    assert.match(granted.output, /is now admin \(was user\)/);

    // The role travels in tokens: the old session ended, a new sign-in carries it.
    const stale = await call({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: user.refreshToken },
    });
    assert.equal(stale.statusCode, 401);
    const session = await login(user.email);
    assert.equal(session.user.role, 'admin');
    const res = await auditLog(session.accessToken);
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(res.json().data.some((entry: { action: string }) => entry.action === 'account.role'));

    const editor = await registerUser(call);
    assert.equal((await cli(['users:grant-role', editor.email, 'editor'], env)).code, 0);
    assert.equal((await login(editor.email)).user.role, 'editor');
    assert.equal((await cli(['users:grant-role', user.email, 'user'], env)).code, 0);
    assert.equal((await auditLog((await login(user.email)).accessToken)).statusCode, 403, 'demoted');
  });

  it('refuses an unknown role, an unknown account and missing arguments, changing nothing', async () => {
    const user = await registerUser(call);
    const badRole = await cli(['users:grant-role', user.email, 'root'], env);
    assert.equal(badRole.code, 2);
    assert.match(badRole.output, /Unknown role "root". Use one of: user, editor, admin/);
    const nobody = await cli(['users:grant-role', 'nobody@example.test', 'admin'], env);
    assert.equal(nobody.code, 1);
    assert.match(nobody.output, /not found/i);
    assert.doesNotMatch(nobody.output, /at .*\.ts:\d+/, 'no stack trace');
    const missing = await cli(['users:grant-role', user.email], env);
    assert.equal(missing.code, 2);
    assert.match(missing.output, /Usage: npm run cli/);
    assert.equal((await login(user.email)).user.role, 'user');
  });
});
