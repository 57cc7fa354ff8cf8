/**
 * One interface for "is this sign-up a person": a proof of work the client
 * computes, or a CAPTCHA provider's token checked with the provider. The
 * caller (auth's register) does not know which is configured.
 */
export interface BotCheck {
  readonly kind: 'pow' | 'captcha';
  /**
   * Resolves when `token` (what the client sent; undefined when it sent
   * nothing) proves a person at `ip`; rejects with a BotCheckError otherwise.
   * Provider outages reject with a BotCheckUnavailable.
   */
  verify(token: string | undefined, ip: string): Promise<void>;
}

/** The client's token is missing, malformed, wrong, expired or already used: ask for a new one. */
export class BotCheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BotCheckError';
  }
}

/** The check could not be made (the provider did not answer): retry later, not the client's fault. */
export class BotCheckUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BotCheckUnavailable';
  }
}
