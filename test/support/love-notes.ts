import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { v7 } from 'uuid';
import type { CoupleFacts } from '../../src/modules/love-notes/dependencies.ts';
import { defaultDeps } from '../../src/modules/love-notes/dependencies.ts';
import type { AuthUser } from '../../src/platform/http/auth-context.ts';

const assigned = Symbol('assigned user');

/**
 * Test-only: `x-test-user: <uuid>` becomes `request.user`. A request
 * decorator, not an onRequest hook, because createTestApp registers it after
 * the modules and a hook added then would not reach their routes.
 */
export const testUser = fp(
  async (app: FastifyInstance) => {
    app.decorateRequest('user', {
      getter(this: FastifyRequest & { [assigned]?: AuthUser }) {
        const header = this.headers['x-test-user'];
        return (
          this[assigned] ??
          (typeof header === 'string' ? { id: header, role: 'user', sessionId: 's' } : undefined)
        );
      },
      setter(this: FastifyRequest & { [assigned]?: AuthUser }, value: AuthUser | undefined) {
        this[assigned] = value;
      },
    } as never);
  },
  { name: 'test-user' },
);

export const as = (userId: string) => ({ 'x-test-user': userId });

/**
 * Test-only couples and profiles behind the love-notes dependency seam,
 * until the couples and users modules are on main.
 */
const couples = new Map<string, CoupleFacts>();
const names = new Map<string, string>();
const zones = new Map<string, string>();
Object.assign(defaultDeps, {
  coupleOf: async (_platform: unknown, userId: string) => couples.get(userId) ?? null,
  displayNameOf: async (_platform: unknown, userId: string) => names.get(userId) ?? null,
  timeZoneOf: async (_platform: unknown, userId: string) => zones.get(userId) ?? 'UTC',
});

export interface Pair {
  coupleId: string;
  a: string;
  b: string;
}

export function makeCouple(options: { since?: Date; names?: [string, string]; zone?: string } = {}): Pair {
  const pair = { coupleId: v7(), a: v7(), b: v7() };
  const since = options.since ?? null;
  couples.set(pair.a, { coupleId: pair.coupleId, partnerId: pair.b, since });
  couples.set(pair.b, { coupleId: pair.coupleId, partnerId: pair.a, since });
  if (options.names) {
    names.set(pair.a, options.names[0]);
    names.set(pair.b, options.names[1]);
  }
  if (options.zone) zones.set(pair.a, options.zone);
  return pair;
}

export const single = (): string => v7();
