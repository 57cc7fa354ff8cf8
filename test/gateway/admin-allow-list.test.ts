import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from '../../src/config.ts';
import { inRanges, parseIpRange } from '../../src/platform/gateway/ip-ranges.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { bearer, caller, registerStaff, type SignedIn } from '../support/auth.ts';

/** ADMIN_ALLOWED_IPS: /v1/admin/* only from listed addresses, checked before any credential. */
describe('admin IP allow list', () => {
  let t: TestApp;
  let admin: SignedIn;
  const from = (remoteAddress: string, url: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url, remoteAddress, headers });

  before(async () => {
    t = await createTestApp({
      ADMIN_ALLOWED_IPS: '10.0.0.0/8, 192.0.2.7, 2001:db8::/32',
      TRUST_PROXY: '198.51.100.1',
    });
    admin = await registerStaff(caller(t.app), t.platform.database.db);
  });
  after(() => t?.close());

  it('lets listed addresses and ranges in, IPv4-mapped IPv6 included', async () => {
    for (const ip of ['10.1.2.3', '192.0.2.7', '::ffff:10.9.9.9', '2001:db8::1']) {
      const res = await from(ip, '/v1/admin/dead-letters', bearer(admin.accessToken));
      assert.equal(res.statusCode, 200, `${ip}: ${res.body}`);
    }
  });

  it('refuses everyone else with 403 IP_NOT_ALLOWED, before the token is even looked at', async () => {
    for (const ip of ['192.0.2.8', '11.0.0.1', '2001:db9::1', '::ffff:192.0.2.8']) {
      const res = await from(ip, '/v1/admin/dead-letters', bearer(admin.accessToken));
      assert.equal(res.statusCode, 403, ip);
      assert.equal(res.json().success, false);
      assert.equal(res.json().errors[0].code, 'IP_NOT_ALLOWED');
    }
    // A forged token would be a 401 anywhere else: here the address decides first.
    const forged = await from('192.0.2.8', '/v1/admin/content', bearer('not.a.jwt'));
    assert.equal(forged.statusCode, 403);
    assert.equal(forged.json().errors[0].code, 'IP_NOT_ALLOWED');
    // Unknown admin paths and other spellings of the prefix are refused too.
    for (const url of ['/v1/admin/nothing-here', '/v1/admin', '/v1/admin?x=1']) {
      const res = await from('192.0.2.8', url);
      assert.equal(res.statusCode, 403, url);
    }
  });

  it('leaves other routes alone', async () => {
    const res = await from('192.0.2.8', '/v1/users/me', bearer(admin.accessToken));
    assert.equal(res.statusCode, 200, res.body);
    const health = await from('192.0.2.8', '/health');
    assert.equal(health.statusCode, 200);
  });

  it('reads X-Forwarded-For only from a trusted proxy', async () => {
    const viaProxy = await from('198.51.100.1', '/v1/admin/dead-letters', {
      ...bearer(admin.accessToken),
      'x-forwarded-for': '10.4.4.4',
    });
    assert.equal(viaProxy.statusCode, 200, viaProxy.body);
    // The proxy forwarding an outside client: refused.
    const outside = await from('198.51.100.1', '/v1/admin/dead-letters', {
      ...bearer(admin.accessToken),
      'x-forwarded-for': '203.0.113.9',
    });
    assert.equal(outside.statusCode, 403);
    // A direct client claiming an allowed address: its own address counts.
    const forged = await from('203.0.113.9', '/v1/admin/dead-letters', {
      ...bearer(admin.accessToken),
      'x-forwarded-for': '10.4.4.4',
    });
    assert.equal(forged.statusCode, 403);
  });
});

describe('ADMIN_ALLOWED_IPS parsing', () => {
  it('takes addresses and CIDRs, and names a bad entry', () => {
    assert.deepEqual(parseConfig({ ADMIN_ALLOWED_IPS: '10.0.0.0/8,::1' }).gateway.adminAllowedIps, [
      '10.0.0.0/8',
      '::1',
    ]);
    assert.deepEqual(parseConfig({}).gateway.adminAllowedIps, []);
    assert.throws(
      () => parseConfig({ ADMIN_ALLOWED_IPS: '10.0.0.0/8,10.0.0.300,example.com' }),
      /ADMIN_ALLOWED_IPS: "10.0.0.300".*\n.*ADMIN_ALLOWED_IPS: "example.com"/,
    );
  });

  it('matches mapped ranges as IPv4 and never matches garbage', () => {
    const ranges = [parseIpRange('::ffff:10.0.0.0/104')];
    assert.equal(inRanges('10.200.0.1', ranges), true);
    assert.equal(inRanges('11.0.0.1', ranges), false);
    assert.equal(inRanges('not-an-ip', ranges), false);
  });
});
