import assert from 'node:assert/strict';
import type { TestApp } from './app.ts';
import { as, newUserId } from './test-auth.ts';

export interface Pair {
  coupleId: string;
  a: string;
  b: string;
}

/** Two fresh users linked through the couples API (invite, accept), optionally with display names. */
export async function makeCouple(
  t: TestApp,
  options: { names?: [string, string]; ids?: [string, string] } = {},
): Promise<Pair> {
  const [a, b] = options.ids ?? [newUserId(), newUserId()];
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
