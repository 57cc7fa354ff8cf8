import { randomBytes, randomInt } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';

/**
 * Helpers for suites that need signed-in users. Each caller has its own
 * client IP, so the per-IP login throttle (shared in Redis) never couples
 * two test files or two runs.
 */
export type Call = (options: InjectOptions) => Promise<LightMyRequestResponse>;

export function caller(app: FastifyInstance): Call {
  const ip = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
  return (options) => app.inject({ remoteAddress: ip, ...options });
}

export const PASSWORD = 'violet-harbor-lantern-42';

export function uniqueEmail(label = 'user'): string {
  return `${label}.${randomBytes(5).toString('hex')}@example.test`;
}

export interface SignedIn {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

export async function registerUser(
  call: Call,
  input: { email?: string; password?: string; displayName?: string } = {},
): Promise<SignedIn> {
  const email = input.email ?? uniqueEmail();
  const password = input.password ?? PASSWORD;
  const res = await call({
    method: 'POST',
    url: '/v1/auth/register',
    payload: { email, password, displayName: input.displayName ?? 'Test User', acceptTerms: true },
  });
  if (res.statusCode !== 201) throw new Error(`register failed: ${res.statusCode} ${res.body}`);
  const data = res.json().data;
  return {
    id: data.user.id,
    email,
    password,
    accessToken: data.accessToken,
    refreshToken: data.refreshToken,
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Decodes the .eml files of the file mail transport (quoted-printable bodies). */
async function readOutbox(dataDir: string): Promise<Mail[]> {
  const dir = path.join(dataDir, 'outbox', 'mail');
  const names = await readdir(dir).catch(() => [] as string[]);
  return Promise.all(
    names.sort().map(async (name) => {
      const raw = await readFile(path.join(dir, name), 'utf8');
      const [head = '', ...body] = raw.split('\n\n');
      const header = (key: string) => new RegExp(`^${key}: (.*)$`, 'mi').exec(head)?.[1]?.trim() ?? '';
      const text = body
        .join('\n\n')
        .replace(/=\r?\n/g, '')
        .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
      return { to: header('To'), subject: header('Subject'), text };
    }),
  );
}

/** Waits for mail to `to` whose subject matches (mail is sent after the answer). */
export async function waitForMail(
  dataDir: string,
  to: string,
  subject: RegExp,
  timeoutMs = 5000,
): Promise<Mail> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = (await readOutbox(dataDir)).filter((m) => m.to.includes(to) && subject.test(m.subject));
    if (found.length > 0) return found.at(-1)!;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no mail to ${to} matching ${subject}`);
}

export async function mailsTo(dataDir: string, to: string): Promise<Mail[]> {
  return (await readOutbox(dataDir)).filter((m) => m.to.includes(to));
}

export function tokenIn(mail: Mail): string {
  const token = /token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
  if (!token) throw new Error(`no token in mail "${mail.subject}"`);
  return token;
}

/** A new user promoted to `role` (admin, editor) and signed in again, so the token carries the role. */
export async function registerStaff(
  call: Call,
  db: { updateTable(table: 'auth_accounts'): unknown },
  role: 'admin' | 'editor' = 'admin',
): Promise<SignedIn> {
  const user = await registerUser(call, { displayName: `Staff ${role}` });
  // Kysely's builder, typed loosely here: test support does not import the auth module's tables.
  const builder = db.updateTable('auth_accounts') as {
    set(v: object): { where(c: string, op: string, v: string): { execute(): Promise<unknown> } };
  };
  await builder.set({ role }).where('id', '=', user.id).execute();
  const login = await call({
    method: 'POST',
    url: '/v1/auth/login',
    payload: { email: user.email, password: user.password },
  });
  if (login.statusCode !== 200) throw new Error(`login failed: ${login.statusCode} ${login.body}`);
  return {
    ...user,
    accessToken: login.json().data.accessToken,
    refreshToken: login.json().data.refreshToken,
  };
}
