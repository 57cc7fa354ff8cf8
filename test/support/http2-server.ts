import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { Certificate } from './tls.ts';

export interface H2Request {
  method: string;
  path: string;
  headers: http2.IncomingHttpHeaders;
  body: string;
}

export interface H2Answer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface H2Server {
  origin: string;
  requests: H2Request[];
  /** Connections opened so far (a pooled client should open one). */
  connections(): number;
  close(): Promise<void>;
}

/**
 * A provider's API over TLS HTTP/2 (APNs, FCM, Google's token endpoint):
 * every request is recorded and answered by `handle`.
 */
export async function startHttp2Server(
  certificate: Certificate,
  handle: (request: H2Request) => H2Answer | Promise<H2Answer>,
): Promise<H2Server> {
  const requests: H2Request[] = [];
  const sessions = new Set<http2.ServerHttp2Session>();
  let connections = 0;
  const server = http2.createSecureServer(certificate);
  server.on('session', (session) => {
    connections++;
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', async () => {
      const request = {
        method: String(headers[':method']),
        path: String(headers[':path']),
        headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(request);
      // A failed check inside the fake answers 500, so the client under test fails loudly.
      const answer: H2Answer = await Promise.resolve()
        .then(() => handle(request))
        .catch((error: unknown) => ({
          status: 500,
          body: { reason: 'TestServerCheckFailed', error: String(error) },
        }));
      const body = answer.body === undefined ? '' : JSON.stringify(answer.body);
      stream.respond({ ':status': answer.status, 'content-type': 'application/json', ...answer.headers });
      stream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `https://127.0.0.1:${port}`,
    requests,
    connections: () => connections,
    close: () =>
      new Promise((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}
