import assert from 'node:assert/strict';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { AuthUser } from '../../src/platform/http/auth-context.ts';
import type { TestApp } from './app.ts';
import { as, newUserId } from './test-auth.ts';

export interface Pair {
  coupleId: string;
  a: string;
  b: string;
}

/** Two fresh users linked through the couples API (invite, accept), optionally with display names. */
export async function makeCouple(t: TestApp, options: { names?: [string, string] } = {}): Promise<Pair> {
  const [a, b] = [newUserId(), newUserId()];
  const call = (method: 'POST' | 'PATCH', url: string, userId: string, payload?: object) =>
    t.app.inject({ method, url, headers: as(userId), ...(payload ? { payload } : {}) });
  if (options.names) {
    for (const [user, name] of [
      [a, options.names[0]],
      [b, options.names[1]],
    ] as const) {
      const res = await call('PATCH', '/v1/users/me', user, { displayName: name });
      assert.equal(res.statusCode, 200, res.body);
    }
  }
  const invite = await call('POST', '/v1/couples/invites', a);
  assert.equal(invite.statusCode, 201, invite.body);
  const linked = await call('POST', `/v1/couples/invites/${invite.json().data.code}/accept`, b);
  assert.equal(linked.statusCode, 200, linked.body);
  return { coupleId: linked.json().data.id, a, b };
}

const assigned = Symbol('assigned user');

/**
 * Test-only stand-in for token verification until the auth module is on
 * main: `x-test-user: <uuid>` or `Authorization: Bearer test-user:<uuid>`
 * becomes `request.user` (the WebSocket's first-message token travels as a
 * bearer header internally). Never part of the production app.
 */
export const testBearerAuth = fp(
  async (app: FastifyInstance) => {
    app.decorateRequest('user', {
      getter(this: FastifyRequest & { [assigned]?: AuthUser }) {
        if (this[assigned]) return this[assigned];
        const header = this.headers['x-test-user'];
        const bearer = /^Bearer test-user:(\S+)$/.exec(this.headers.authorization ?? '')?.[1];
        const id = typeof header === 'string' ? header.split(':')[0] : bearer;
        return id ? { id, role: 'user', sessionId: 'test-session' } : undefined;
      },
      setter(this: FastifyRequest & { [assigned]?: AuthUser }, value: AuthUser | undefined) {
        this[assigned] = value;
      },
    } as never);
  },
  { name: 'test-bearer-auth' },
);
