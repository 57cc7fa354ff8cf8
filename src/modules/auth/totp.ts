import { Secret, TOTP } from 'otpauth';

/**
 * RFC 6238 TOTP through `otpauth`: SHA-1, 6 digits, 30 s, the parameters every
 * authenticator app supports. Codes are accepted one step either side (clock skew).
 */
export const TOTP_WINDOW = 1;
const ISSUER = 'One 2 One Love';

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

export function totpFor(secretBase32: string, label = 'account'): TOTP {
  return new TOTP({
    issuer: ISSUER,
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    secret: Secret.fromBase32(secretBase32),
  });
}

/**
 * The time step a code belongs to, or null when it matches none in the window.
 * Callers store the step and refuse any code at or before it, so a code works once.
 */
export function matchingStep(secretBase32: string, code: string, at = Date.now()): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const totp = totpFor(secretBase32);
  const delta = totp.validate({ token: code, timestamp: at, window: TOTP_WINDOW });
  if (delta === null) return null;
  return totp.counter({ timestamp: at }) + delta;
}
