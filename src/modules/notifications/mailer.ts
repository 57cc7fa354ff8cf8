import path from 'node:path';
import { ChannelError, toChannelError } from '../../platform/channels/errors.ts';
import { createMailTransport } from '../../platform/channels/mail.ts';
import type { Platform } from '../../platform/platform.ts';
import type { MailSender } from './context.ts';

/**
 * Notification mail through the platform mail transport (SMTP, or .eml files
 * under DATA_DIR/outbox/mail). An SMTP 5xx reply is final (unknown mailbox,
 * rejected message); anything else (4xx, connection) is worth a retry.
 */
export function createMailSender(platform: Platform): MailSender {
  const { config } = platform;
  const transport = createMailTransport({
    smtpUrl: config.smtpUrl,
    from: config.mailFrom,
    outboxDir: path.join(config.dataDir, 'outbox', 'mail'),
  });
  platform.onClose(async () => transport.close());
  return {
    async send(mail) {
      try {
        await transport.send(mail);
      } catch (error) {
        const code = (error as { responseCode?: unknown }).responseCode;
        if (typeof code === 'number' && code >= 500) {
          throw new ChannelError('permanent', `SMTP refused the message (${code})`, {
            status: code,
            cause: error,
          });
        }
        throw toChannelError(error, 'SMTP');
      }
    },
  };
}
