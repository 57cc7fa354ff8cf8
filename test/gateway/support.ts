import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Role } from '../../src/platform/http/auth-context.ts';

/**
 * Test-only stand-in for the auth module: `x-test-user: <id>` becomes
 * request.user in an onRequest hook, as auth's own hook will do.
 */
export function fakeAuth(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const id = request.headers['x-test-user'];
    if (typeof id === 'string') request.user = { id, role: 'user' as Role, sessionId: `s-${id}` };
  });
}

/** Collects pino's JSON lines so a test can assert what was logged. */
export function logCollector(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** Polls until `check` returns true or the time runs out. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A metric's value summed over its series (every label set); undefined when it has none. */
export async function metricValue(app: FastifyInstance, name: string): Promise<number | undefined> {
  const res = await app.inject({ url: '/metrics' });
  const lines = res.body.split('\n').filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  if (lines.length === 0) return undefined;
  return lines.reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}
