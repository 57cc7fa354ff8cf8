import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import { ChannelError, type FailureKind, kindOfStatus, type SendResult, toChannelError } from './errors.ts';
import { appendToOutbox } from './file-outbox.ts';

export interface SmsMessage {
  /** E.164, checked by `toE164` before it gets here. */
  to: string;
  body: string;
}

export interface SmsTransport {
  readonly kind: 'twilio' | 'file';
  send(message: SmsMessage): Promise<SendResult>;
}

export interface TwilioOptions {
  accountSid: string;
  authToken: string;
  /** A sending number (E.164) or a Messaging Service SID (`MG...`). */
  from: string;
  /** Where Twilio posts delivery status changes (our webhook), if reachable from outside. */
  statusCallbackUrl?: string;
  /** Replaces `https://api.twilio.com` (tests, or an egress proxy). */
  apiUrl?: string;
  timeoutMs?: number;
}

/**
 * Twilio error codes that mean this number will not take messages from us:
 * 21211 invalid To, 21214 To is not reachable, 21610 the person replied STOP,
 * 21612 unreachable carrier, 21614 not a mobile number.
 */
const DEAD_NUMBER_CODES = new Set([21211, 21214, 21610, 21612, 21614]);

/** Sends through Twilio's official SDK (Programmable Messaging). */
export function createTwilioSms(options: TwilioOptions): SmsTransport {
  const client = twilio(options.accountSid, options.authToken, {
    ...(options.apiUrl
      ? { httpClient: new RedirectingRequestClient(options.apiUrl, options.timeoutMs) }
      : {}),
    timeout: options.timeoutMs ?? 10_000,
  });
  const sender = options.from.startsWith('MG')
    ? { messagingServiceSid: options.from }
    : { from: options.from };
  return {
    kind: 'twilio',
    async send(message) {
      try {
        const sent = await client.messages.create({
          to: message.to,
          body: message.body,
          ...sender,
          ...(options.statusCallbackUrl ? { statusCallback: options.statusCallbackUrl } : {}),
        });
        return { providerMessageId: sent.sid };
      } catch (error) {
        throw twilioFailure(error);
      }
    },
  };
}

/** Without Twilio credentials: one JSON line per SMS under data/outbox/sms. */
export function createFileSms(outboxDir: string): SmsTransport {
  return {
    kind: 'file',
    async send(message) {
      return { providerMessageId: await appendToOutbox(outboxDir, { channel: 'sms', ...message }) };
    },
  };
}

/**
 * Checks `X-Twilio-Signature` on a status callback: Twilio signs the full
 * public URL it called plus the sorted form parameters with the auth token,
 * so the URL must be the one configured at Twilio, not what a proxy rewrote.
 */
export function verifyTwilioSignature(
  authToken: string,
  signature: string | undefined,
  url: string,
  params: Record<string, string>,
): boolean {
  if (!signature) return false;
  return twilio.validateRequest(authToken, signature, url, params);
}

function twilioFailure(error: unknown): ChannelError {
  if (error instanceof twilio.RestException) {
    let kind: FailureKind = kindOfStatus(error.status);
    if (error.code !== undefined && DEAD_NUMBER_CODES.has(error.code)) kind = 'invalid-target';
    return new ChannelError(
      kind,
      `Twilio answered ${error.status} (${error.code ?? '-'}): ${error.message}`,
      {
        status: error.status,
        ...(error.code !== undefined ? { providerCode: String(error.code) } : {}),
        cause: error,
      },
    );
  }
  return toChannelError(error, 'Twilio unreachable');
}

/** The SDK's own HTTP client, sending to another origin than api.twilio.com. */
class RedirectingRequestClient extends twilio.RequestClient {
  private readonly origin: string;

  constructor(apiUrl: string, timeoutMs?: number) {
    super({ timeout: timeoutMs ?? 10_000 });
    this.origin = new URL(apiUrl).origin;
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const uri = new URL(opts.uri);
    return super.request<TData>({ ...opts, uri: `${this.origin}${uri.pathname}${uri.search}` });
  }
}
