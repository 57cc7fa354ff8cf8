import { importPKCS8, SignJWT } from 'jose';
import { ChannelError, kindOfStatus, parseRetryAfter } from './errors.ts';
import { type Http2Client, jsonObject } from './http2-client.ts';

/** The fields of a Google service-account key file that OAuth needs. */
export interface ServiceAccount {
  project_id: string;
  client_email: string;
  private_key: string;
  private_key_id?: string;
  token_uri: string;
}

export function parseServiceAccount(json: string): ServiceAccount {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(json) as Record<string, unknown>;
  } catch {
    throw new Error('the FCM service account is not valid JSON');
  }
  for (const field of ['project_id', 'client_email', 'private_key'] as const) {
    if (typeof parsed[field] !== 'string' || parsed[field] === '') {
      throw new Error(`the FCM service account has no ${field}`);
    }
  }
  return {
    project_id: parsed.project_id as string,
    client_email: parsed.client_email as string,
    private_key: parsed.private_key as string,
    ...(typeof parsed.private_key_id === 'string' ? { private_key_id: parsed.private_key_id } : {}),
    token_uri:
      typeof parsed.token_uri === 'string' ? parsed.token_uri : 'https://oauth2.googleapis.com/token',
  };
}

/**
 * OAuth 2.0 access tokens for a service account (RFC 7523 JWT bearer grant):
 * a self-signed RS256 assertion is exchanged at the account's token_uri.
 * Tokens are cached until a minute before they expire and concurrent
 * callers share one exchange. Written here (not google-auth-library) because
 * it is one signed JWT and one POST, and the library pins the token endpoint.
 */
export class ServiceAccountTokens {
  private cached: { token: string; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly account: ServiceAccount,
    private readonly scope: string,
    private readonly http: Http2Client,
  ) {}

  async token(): Promise<string> {
    if (this.cached && this.cached.expiresAt - 60_000 > Date.now()) return this.cached.token;
    this.pending ??= this.exchange().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** The provider rejected the token (401): the next call fetches a new one. */
  invalidate(): void {
    this.cached = undefined;
  }

  private async exchange(): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const key = await importPKCS8(this.account.private_key, 'RS256');
    const assertion = await new SignJWT({ scope: this.scope })
      .setProtectedHeader({
        alg: 'RS256',
        typ: 'JWT',
        ...(this.account.private_key_id ? { kid: this.account.private_key_id } : {}),
      })
      .setIssuer(this.account.client_email)
      .setAudience(this.account.token_uri)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(key);
    const response = await this.http.request(this.account.token_uri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion,
      }).toString(),
    });
    const body = jsonObject(response.body) as {
      access_token?: unknown;
      expires_in?: unknown;
      error?: unknown;
    };
    if (response.status !== 200 || typeof body.access_token !== 'string') {
      // A refused assertion (bad key, disabled account) fails every message alike.
      throw new ChannelError(
        kindOfStatus(response.status),
        `token endpoint answered ${response.status}: ${String(body.error ?? response.body.slice(0, 200))}`,
        { status: response.status, retryAfterMs: parseRetryAfter(response.headers['retry-after']) },
      );
    }
    const lifetime = typeof body.expires_in === 'number' ? body.expires_in : 3600;
    this.cached = { token: body.access_token, expiresAt: Date.now() + lifetime * 1000 };
    return body.access_token;
  }
}
