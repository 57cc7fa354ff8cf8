/**
 * What auth publishes (payloads are typed in src/platform/bus/events.ts):
 * `user.registered`, `user.logged-in`, `user.password-changed`,
 * `user.mfa-enabled`, `auth.refresh-reuse-detected`. Each is written with
 * publish(trx, ...) in the transaction of the change. Auth consumes nothing.
 */
export const AUTH_EVENTS = [
  'user.registered',
  'user.logged-in',
  'user.password-changed',
  'user.mfa-enabled',
  'auth.refresh-reuse-detected',
] as const;
