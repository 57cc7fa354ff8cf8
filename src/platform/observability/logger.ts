import type { LoggerOptions } from 'pino';
import type { Config, LogLevel } from '../config.ts';

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

/**
 * Human-readable logs (pino-pretty) when LOG_FORMAT=pretty, or by default in
 * development on a terminal; JSON everywhere else (files, containers, tests).
 */
export function prettyLogs(config: Pick<Config, 'logFormat' | 'nodeEnv'>): boolean {
  if (config.logFormat !== undefined) return config.logFormat === 'pretty';
  return config.nodeEnv === 'development' && process.stdout.isTTY === true;
}

export function loggerOptions(level: LogLevel, pretty = false): LoggerOptions {
  return {
    level,
    // A worker thread formats the lines, so the request path pays nothing for the colours.
    ...(pretty
      ? {
          transport: {
            target: 'pino-pretty',
            options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,service' },
          },
        }
      : {}),
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
