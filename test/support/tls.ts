import selfsigned from 'selfsigned';

export interface Certificate {
  key: string;
  cert: string;
}

/**
 * A throwaway certificate for 127.0.0.1/localhost, so a test can run a
 * provider's HTTPS or HTTP/2 server and the client under test trusts it
 * through its `ca` option (never by disabling verification).
 */
export async function localCertificate(): Promise<Certificate> {
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}
