import type { LoggerOptions } from 'pino';
import type { LogLevel } from '../config.ts';

/**
 * Paths pino blanks out in every log line. Bodies are not logged, but errors
 * and module logs may carry these fields, so they are redacted at the top
 * level and one level deep (`{ body: { password } }`). Deeper wildcards cost
 * measurable time on every request's child logger, so they are not used:
 * log a secret-bearing object one level deep, never nested further.
 */
const SECRET_KEYS = [
  'password',
  'currentPassword',
  'newPassword',
  'token',
  'accessToken',
  'refreshToken',
  'idToken',
  'mfaToken',
  'code',
  'recoveryCode',
  'secret',
  'apiKey',
];

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`]),
];

/** Query parameters that carry secrets in URLs (OAuth callbacks, mailed links). */
const SECRET_QUERY = /([?&](?:code|state|token|id_token|access_token|refresh_token)=)[^&#]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY, '$1[redacted]');
}

interface LoggedRequest {
  method: string;
  url: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

export function loggerOptions(level: LogLevel): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { service: 'one2one-love' },
    serializers: {
      // Fastify's request serializer, with secret query values blanked.
      req: (req: LoggedRequest) => ({
        method: req.method,
        url: redactUrl(req.url),
        host: req.host,
        remoteAddress: req.ip,
        remotePort: req.socket?.remotePort,
      }),
    },
  };
}
