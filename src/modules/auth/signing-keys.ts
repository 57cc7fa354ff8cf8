import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, type JWK } from 'jose';
import type { Config } from '../../platform/config.ts';
import { persistedSecret } from '../../platform/security/dev-secrets.ts';

export type SigningAlgorithm = 'ES256' | 'EdDSA';

export interface SigningKey {
  kid: string;
  alg: SigningAlgorithm;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicJwk: JWK;
}

export interface KeySet {
  /** The first configured key signs; every key verifies (rotation without logouts). */
  signing: SigningKey;
  byKid: Map<string, SigningKey>;
  jwks: { keys: JWK[] };
}

const PEM_BLOCK = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/g;

function algorithmOf(key: KeyObject): SigningAlgorithm {
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new Error('JWT_SIGNING_KEYS: only P-256 (ES256) and Ed25519 (EdDSA) private keys are accepted');
}

async function toSigningKey(pem: string): Promise<SigningKey> {
  const privateKey = createPrivateKey(pem);
  const alg = algorithmOf(privateKey);
  const publicKey = createPublicKey(privateKey);
  const jwk = await exportJWK(publicKey);
  // The RFC 7638 thumbprint as kid: stable for a key, so no separate id to configure.
  const kid = await calculateJwkThumbprint(jwk);
  return { kid, alg, privateKey, publicKey, publicJwk: { ...jwk, kid, alg, use: 'sig' } };
}

function generatePem(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/**
 * JWT_SIGNING_KEYS holds PKCS#8 PEM private keys, newest first. Without it
 * (never in production, see config.ts) one ES256 key is generated once and kept
 * under data/secrets, so a restart does not log everyone out.
 */
export async function loadKeySet(config: Config): Promise<KeySet> {
  const spec =
    config.jwtSigningKeys?.replaceAll('\\n', '\n') ??
    (await persistedSecret(config.dataDir, 'jwt-signing-keys.pem', generatePem));
  const pems = spec.match(PEM_BLOCK) ?? [];
  if (pems.length === 0) throw new Error('JWT_SIGNING_KEYS holds no PKCS#8 PEM private key');
  const keys = await Promise.all(pems.map(toSigningKey));
  return {
    signing: keys[0]!,
    byKid: new Map(keys.map((k) => [k.kid, k])),
    jwks: { keys: keys.map((k) => k.publicJwk) },
  };
}
