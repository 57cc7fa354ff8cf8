import { type BotCheck, BotCheckError, BotCheckUnavailable } from './bot-check.ts';

/**
 * A CAPTCHA provider's siteverify protocol, which Cloudflare Turnstile and
 * hCaptcha share: POST `secret`, `response` (the widget's token) and
 * `remoteip` as a form to the provider; it answers JSON `{ success,
 * "error-codes": [...] }`. A token is single-use at the provider, so replay
 * protection is theirs.
 *
 * Turnstile: https://challenges.cloudflare.com/turnstile/v0/siteverify
 * hCaptcha:  https://api.hcaptcha.com/siteverify
 */
export interface SiteverifyOptions {
  url: string;
  secret: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export function createSiteverify(options: SiteverifyOptions): BotCheck {
  const send = options.fetch ?? fetch;
  return {
    kind: 'captcha',
    async verify(token, ip) {
      if (token === undefined || token.length === 0) throw new BotCheckError('Complete the CAPTCHA first');
      // Turnstile documents 2048 characters as the longest token.
      if (token.length > 2048) throw new BotCheckError('The CAPTCHA token is malformed');
      const form = new URLSearchParams({ secret: options.secret, response: token, remoteip: ip });
      let answer: { success?: unknown; 'error-codes'?: unknown };
      try {
        const res = await send(options.url, {
          method: 'POST',
          body: form,
          signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
        });
        if (!res.ok) throw new Error(`status ${res.status}`);
        answer = (await res.json()) as typeof answer;
      } catch (error) {
        throw new BotCheckUnavailable(`The CAPTCHA provider did not answer (${(error as Error).message})`);
      }
      if (answer.success === true) return;
      const codes = Array.isArray(answer['error-codes']) ? answer['error-codes'].join(', ') : 'none';
      throw new BotCheckError(`The CAPTCHA was not solved (${codes})`);
    },
  };
}
