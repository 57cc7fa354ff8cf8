import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { connect } from 'nats';
import type { Role } from '../../src/platform/http/auth-context.ts';

/** A unique JetStream stream per test file, so parallel runs never share one. */
export function testStreamName(): string {
  return `TEST_${randomBytes(6).toString('hex').toUpperCase()}`;
}

export async function deleteStream(natsUrl: string | undefined, stream: string): Promise<void> {
  if (!natsUrl) return;
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(stream).catch(() => {});
  } finally {
    await nc.close();
  }
}

/**
 * Stands in for the auth module in tests: `x-test-role` sets request.user.
 * Registered with fastify-plugin so the hook reaches every route.
 */
export const testAuth = fp(async (app: FastifyInstance) => {
  app.addHook('onRequest', async (request) => {
    const role = request.headers['x-test-role'];
    if (typeof role === 'string') {
      request.user = { id: '00000000-0000-7000-8000-000000000001', role: role as Role, sessionId: 's' };
    }
  });
});

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
