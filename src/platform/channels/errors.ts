/**
 * What a transport reports when a provider did not take a message. The
 * notifications module decides from `kind` alone: retry later, give up, or
 * give up and forget the target (an expired push subscription or device token).
 */
export type FailureKind = 'transient' | 'permanent' | 'invalid-target';

export interface SendResult {
  /** The provider's id for the accepted message (FCM name, apns-id, Twilio SID, a file line id). */
  providerMessageId: string | null;
}

export interface ChannelErrorOptions {
  status?: number;
  /** The provider's own error code (`UNREGISTERED`, `BadDeviceToken`, Twilio 21211, ...). */
  providerCode?: string;
  /** How long the provider asked us to wait (from `Retry-After`). */
  retryAfterMs?: number;
  cause?: unknown;
}

export class ChannelError extends Error {
  readonly status: number | undefined;
  readonly providerCode: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(
    readonly kind: FailureKind,
    message: string,
    options: ChannelErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ChannelError';
    this.status = options.status;
    this.providerCode = options.providerCode;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Throttling, timeouts and server trouble pass; every other 4xx will fail the same way again. */
export function kindOfStatus(status: number): FailureKind {
  if (status === 408 || status === 429 || status >= 500) return 'transient';
  return 'permanent';
}

/** `Retry-After` as delay-seconds or an HTTP-date (RFC 9110 §10.2.3); anything else is ignored. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === '') return undefined;
  if (/^\d+$/.test(raw.trim())) return Number(raw.trim()) * 1000;
  const at = Date.parse(raw);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Anything that is not already a ChannelError failed on the way (DNS, reset, timeout): worth a retry. */
export function toChannelError(error: unknown, what: string): ChannelError {
  if (error instanceof ChannelError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ChannelError('transient', `${what}: ${message}`, { cause: error });
}
