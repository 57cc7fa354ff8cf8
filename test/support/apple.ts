import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { CompactSign } from 'jose';

/**
 * A certificate chain shaped like Apple's (root CA → intermediate with
 * Apple's WWDR marker extension → leaf with the App Store signing marker),
 * made by the test, and JWS signed by its leaf the way the App Store signs
 * notifications (ES256, x5c header with the three certificates).
 */
x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
/** DER NULL: the markers' value is irrelevant, their presence is what Apple's library checks. */
const MARK = new Uint8Array([0x05, 0x00]);

export interface TestChain {
  rootPem: string;
  sign(payload: object): Promise<string>;
}

export async function makeAppleLikeChain(name = 'Test'): Promise<TestChain> {
  const notBefore = new Date(Date.now() - 86_400_000);
  const notAfter = new Date(Date.now() + 365 * 86_400_000);
  const keys = async () =>
    (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const rootKeys = await keys();
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${name} Root CA`,
    notBefore,
    notAfter,
    signingAlgorithm: SIGNING,
    keys: rootKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 2, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  const intermediateKeys = await keys();
  const intermediate = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: `CN=${name} Worldwide Developer Relations`,
    issuer: root.subject,
    notBefore,
    notAfter,
    signingAlgorithm: SIGNING,
    publicKey: intermediateKeys.publicKey,
    signingKey: rootKeys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      new x509.Extension('1.2.840.113635.100.6.2.1', false, MARK),
    ],
  });
  const leafKeys = await keys();
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: '03',
    subject: `CN=${name} App Store Signing`,
    issuer: intermediate.subject,
    notBefore,
    notAfter,
    signingAlgorithm: SIGNING,
    publicKey: leafKeys.publicKey,
    signingKey: intermediateKeys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.Extension('1.2.840.113635.100.6.11.1', false, MARK),
    ],
  });
  const x5c = [leaf, intermediate, root].map((cert) => Buffer.from(cert.rawData).toString('base64'));
  return {
    rootPem: root.toString('pem'),
    sign: (payload) =>
      new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader({ alg: 'ES256', x5c })
        .sign(leafKeys.privateKey),
  };
}
