import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { exportJWK, SignJWT } from 'jose';
import { parseConfig } from '../../config.ts';
import { type AccessTokens, createAccessTokens, TokenRevokedError } from './access-tokens.ts';
import { type KeySet, loadKeySet } from './signing-keys.ts';

const SETTINGS = { issuer: 'https://api.example.test', audience: 'one2one-love-api', ttlSeconds: 900 };
const USER = { id: '0193a000-0000-7000-8000-000000000001', role: 'user' as const };
const SID = '0193a000-0000-7000-8000-0000000000aa';

const pem = () =>
  generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('access tokens', () => {
  let dataDir: string;
  let keys: KeySet;
  let tokens: AccessTokens;
  const keyPem = pem();

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'o2o-jwt-'));
    keys = await loadKeySet(parseConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, JWT_SIGNING_KEYS: keyPem }));
    tokens = createAccessTokens(keys, SETTINGS);
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  const claims = (extra: Record<string, unknown> = {}) => ({ role: 'user', sid: SID, ...extra });
  const signed = (payload: Record<string, unknown>, header: Record<string, unknown> = {}) =>
    new SignJWT(payload)
      .setProtectedHeader({ alg: 'ES256', kid: keys.signing.kid, typ: 'at+jwt', ...header })
      .sign(keys.signing.privateKey);
  const rejected = async (token: string | Promise<string>) => {
    await assert.rejects(tokens.verify(await token));
  };

  it('refuses the token of a revoked session even once its verification is cached', async () => {
    const revoked = new Set<string>();
    const checked = createAccessTokens(keys, { ...SETTINGS, isRevoked: (sid) => revoked.has(sid) });
    const token = await checked.sign(USER, SID);
    assert.deepEqual(await checked.verify(token), { ...USER, sessionId: SID });
    revoked.add(SID);
    await assert.rejects(checked.verify(token), TokenRevokedError);
    // Another session of the same user is untouched.
    const other = await checked.sign(USER, '0193a000-0000-7000-8000-0000000000bb');
    assert.equal((await checked.verify(other)).id, USER.id);
  });

  it('round-trips a token with sub, role, sid, iss, aud, iat, exp and kid', async () => {
    const token = await tokens.sign(USER, SID);
    const [header, payload] = token
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    assert.deepEqual(header, { alg: 'ES256', kid: keys.signing.kid, typ: 'at+jwt' });
    assert.equal(payload.exp - payload.iat, 900);
    assert.equal(payload.iss, SETTINGS.issuer);
    assert.equal(payload.aud, SETTINGS.audience);
    assert.deepEqual(await tokens.verify(token), { id: USER.id, role: 'user', sessionId: SID });
  });

  it('serves a verified token from its cache only until the token expires', async () => {
    // Two seconds: exp is whole seconds, so a 1 s token signed late in a second can expire
    // before the second verify on a busy machine.
    const short = createAccessTokens(keys, { ...SETTINGS, ttlSeconds: 2, clockToleranceSeconds: 0 });
    const token = await short.sign(USER, SID);
    assert.equal((await short.verify(token)).id, USER.id);
    assert.equal((await short.verify(token)).id, USER.id);
    await new Promise((resolve) => setTimeout(resolve, 3100));
    await assert.rejects(short.verify(token), 'the cached result does not outlive exp');
  });

  it('rejects an expired token (beyond the clock tolerance)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = signed({
      ...claims(),
      sub: USER.id,
      iss: SETTINGS.issuer,
      aud: SETTINGS.audience,
      iat: now - 1000,
      exp: now - 30,
    });
    await rejected(token);
  });

  it('rejects a wrong audience or issuer, and missing claims', async () => {
    const base = { sub: USER.id, iss: SETTINGS.issuer, aud: SETTINGS.audience };
    const now = Math.floor(Date.now() / 1000);
    const timed = { iat: now, exp: now + 60 };
    // The hand-made token is accepted as is, so each rejection below is down to its one change.
    assert.equal((await tokens.verify(await signed({ ...claims(), ...base, ...timed }))).id, USER.id);
    await rejected(signed({ ...claims(), ...base, ...timed, aud: 'someone-else' }));
    await rejected(signed({ ...claims(), ...base, ...timed, iss: 'https://evil.example' }));
    await rejected(signed({ ...claims(), ...base, iat: now })); // no exp
    await rejected(signed({ role: 'user', ...base, ...timed })); // no sid
    await rejected(signed({ ...claims(), ...base, ...timed }, { typ: 'JWT' })); // an ID token is not an access token
  });

  it('rejects a tampered payload', async () => {
    const [header, , signature] = (await tokens.sign(USER, SID)).split('.');
    const now = Math.floor(Date.now() / 1000);
    const forged = b64({
      ...claims({ role: 'admin' }),
      sub: USER.id,
      iss: SETTINGS.issuer,
      aud: SETTINGS.audience,
      iat: now,
      exp: now + 900,
    });
    await rejected(`${header}.${forged}.${signature}`);
  });

  it('rejects alg none and HS256 signed with the public key', async () => {
    const now = Math.floor(Date.now() / 1000);
    const payload = b64({
      ...claims(),
      sub: USER.id,
      iss: SETTINGS.issuer,
      aud: SETTINGS.audience,
      iat: now,
      exp: now + 900,
    });
    await rejected(`${b64({ alg: 'none', typ: 'at+jwt', kid: keys.signing.kid })}.${payload}.`);
    const hsHeader = b64({ alg: 'HS256', typ: 'at+jwt', kid: keys.signing.kid });
    const publicPem = keys.signing.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const mac = createHmac('sha256', publicPem).update(`${hsHeader}.${payload}`).digest('base64url');
    await rejected(`${hsHeader}.${payload}.${mac}`);
  });

  it('rejects an unknown kid and ignores keys offered in jwk/jku headers', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const now = Math.floor(Date.now() / 1000);
    const payload = {
      ...claims(),
      sub: USER.id,
      iss: SETTINGS.issuer,
      aud: SETTINGS.audience,
      iat: now,
      exp: now + 900,
    };
    await rejected(
      new SignJWT(payload)
        .setProtectedHeader({ alg: 'ES256', kid: 'unknown', typ: 'at+jwt' })
        .sign(privateKey),
    );
    const jwk = await exportJWK(publicKey);
    await rejected(
      new SignJWT(payload)
        .setProtectedHeader({
          alg: 'ES256',
          kid: keys.signing.kid,
          typ: 'at+jwt',
          jwk,
          jku: 'https://evil.example/jwks',
        })
        .sign(privateKey),
    );
  });

  it('verifies tokens of an older key after rotation, and publishes both keys', async () => {
    const oldTokens = tokens;
    const oldToken = await oldTokens.sign(USER, SID);
    const rotated = await loadKeySet(
      parseConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, JWT_SIGNING_KEYS: `${pem()}\n${keyPem}` }),
    );
    const next = createAccessTokens(rotated, SETTINGS);
    assert.notEqual(rotated.signing.kid, keys.signing.kid);
    assert.equal((await next.verify(oldToken)).id, USER.id);
    assert.deepEqual(
      rotated.jwks.keys.map((k) => k.kid).sort(),
      [rotated.signing.kid, keys.signing.kid].sort(),
    );
    assert.ok(
      rotated.jwks.keys.every((k) => k.d === undefined),
      'JWKS must hold public keys only',
    );
  });

  it('generates a key once without configuration and keeps it across restarts', async () => {
    const config = parseConfig({ NODE_ENV: 'test', DATA_DIR: dataDir });
    const first = await loadKeySet(config);
    const second = await loadKeySet(config);
    assert.equal(first.signing.alg, 'ES256');
    assert.equal(first.signing.kid, second.signing.kid);
  });
});
