import { ChannelError } from '../../platform/channels/index.ts';
import type { Platform } from '../../platform/platform.ts';
import type { MailSender } from './context.ts';

/** Replaced by the platform mail transport (src/platform/channels/mail.ts) once it is on main. */
export function createMailSender(_platform: Platform): MailSender {
  return {
    async send() {
      throw new ChannelError('permanent', 'no mail transport in this build');
    },
  };
}
