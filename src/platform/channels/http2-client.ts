import http2 from 'node:http2';
import { ChannelError } from './errors.ts';

export interface Http2Response {
  status: number;
  headers: http2.IncomingHttpHeaders;
  body: string;
}

export interface Http2RequestOptions {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

export interface Http2ClientOptions {
  /** Extra trusted CA certificates (a test's self-signed server); production uses the system store. */
  ca?: string;
  /** Per request, from sending to the end of the response. */
  timeoutMs?: number;
  /** An unused connection closes after this long. */
  idleMs?: number;
}

/**
 * One long-lived HTTP/2 connection per origin, reopened when the server goes
 * away. APNs only speaks HTTP/2 and asks providers to keep connections open
 * rather than connect per notification; FCM and Google's token endpoint
 * share the same client. node:http2 rather than undici because undici's
 * HTTP/2 support is still marked experimental.
 */
export class Http2Client {
  private readonly sessions = new Map<string, http2.ClientHttp2Session>();
  private readonly timeoutMs: number;
  private readonly idleMs: number;

  constructor(private readonly options: Http2ClientOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.idleMs = options.idleMs ?? 60_000;
  }

  private session(origin: string): http2.ClientHttp2Session {
    const open = this.sessions.get(origin);
    if (open && !open.closed && !open.destroyed) return open;
    const session = http2.connect(origin, this.options.ca ? { ca: this.options.ca } : {});
    const forget = () => {
      if (this.sessions.get(origin) === session) this.sessions.delete(origin);
    };
    // Errors surface on the pending streams; the session itself is just dropped.
    session.on('error', forget);
    session.on('goaway', forget);
    session.on('close', forget);
    session.setTimeout(this.idleMs, () => session.close());
    this.sessions.set(origin, session);
    return session;
  }

  request(url: string, options: Http2RequestOptions): Promise<Http2Response> {
    const target = new URL(url);
    return new Promise((resolve, reject) => {
      let stream: http2.ClientHttp2Stream;
      try {
        stream = this.session(target.origin).request({
          ':method': options.method,
          ':path': `${target.pathname}${target.search}`,
          ...options.headers,
        });
      } catch (error) {
        reject(error);
        return;
      }
      let status = 0;
      let headers: http2.IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      stream.setTimeout(this.timeoutMs, () => {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        reject(new ChannelError('transient', `${target.origin} did not answer within ${this.timeoutMs} ms`));
      });
      stream.on('response', (h) => {
        headers = h;
        status = Number(h[':status']);
      });
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => resolve({ status, headers, body: Buffer.concat(chunks).toString('utf8') }));
      stream.on('error', reject);
      stream.end(options.body);
    });
  }

  async close(): Promise<void> {
    const closing = [...this.sessions.values()].map(
      (session) => new Promise<void>((resolve) => session.close(() => resolve())),
    );
    this.sessions.clear();
    await Promise.all(closing);
  }
}

/** A provider's JSON error body, or {} when it sent something else (an HTML error page). */
export function jsonObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
