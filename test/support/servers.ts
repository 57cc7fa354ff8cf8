/**
 * Suites that need an optional server (Redis, NATS) skip with a reason on a
 * laptop without it, and fail under CI, where every server must be present.
 */
type Server = 'REDIS_URL' | 'NATS_URL';

export function serverUrl(variable: Server): string | undefined {
  return process.env[variable] || undefined;
}

/** Options for `describe(name, needs('REDIS_URL'), ...)`. */
export function needs(variable: Server): { skip: string | false } {
  if (serverUrl(variable)) return { skip: false };
  if (process.env.CI) throw new Error(`${variable} must be set under CI: this suite needs a real server`);
  return { skip: `${variable} is not set; start the server and set it to run this suite` };
}

export function adminDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: run the tests with `npm test`');
  return url;
}
