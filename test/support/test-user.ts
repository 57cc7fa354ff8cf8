import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Role } from '../../src/platform/http/auth-context.ts';

/**
 * TEST ONLY: sets `request.user` from an `x-test-user: <id>[:<role>]` header,
 * for suites that exercise a module's routes without signing in through auth.
 * Registered by the test (createTestApp's `routes` option), never by the app.
 */
export const testUserHook = fp(
  async (app: FastifyInstance) => {
    app.addHook('onRequest', async (request) => {
      const header = request.headers['x-test-user'];
      if (typeof header !== 'string' || request.user) return;
      const [id, role] = header.split(':');
      request.user = { id: id!, role: (role as Role | undefined) ?? 'user', sessionId: 'test-session' };
    });
  },
  { name: 'test-user-hook' },
);

export const as = (userId: string, role: Role = 'user') => ({ 'x-test-user': `${userId}:${role}` });
