import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { v7 as uuidv7 } from 'uuid';
import type { AuthUser, Role } from '../../src/platform/http/auth-context.ts';

const assigned = Symbol('assigned user');

function fromHeader(header: unknown): AuthUser | undefined {
  if (typeof header !== 'string') return undefined;
  const [id = '', role = 'user'] = header.split(':');
  return { id, role: role as Role, sessionId: 'test-session' };
}

/**
 * Test-only stand-in for the auth module's verification hook: the header
 * `x-test-user: <uuid>[:<role>]` becomes `request.user`. Never part of the
 * production app; pass it as createTestApp's `routes` option. It is a request
 * decorator rather than an onRequest hook because createTestApp registers it
 * after the modules, and a hook added then would not reach their routes; a
 * property on the request prototype does. A value assigned by a real auth
 * hook wins over the header.
 */
export const testAuth = fp(
  async (app: FastifyInstance) => {
    app.decorateRequest('user', {
      getter(this: FastifyRequest & { [assigned]?: AuthUser }) {
        return this[assigned] ?? fromHeader(this.headers['x-test-user']);
      },
      setter(this: FastifyRequest & { [assigned]?: AuthUser }, value: AuthUser | undefined) {
        this[assigned] = value;
      },
    } as never);
  },
  { name: 'test-auth' },
);

export const newUserId = (): string => uuidv7();

/** Headers that sign a test request in as `userId`. */
export function as(userId: string, role: Role = 'user'): Record<string, string> {
  return { 'x-test-user': `${userId}:${role}` };
}

/** Polls until `check` returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
