import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Extra headers (List-Unsubscribe for notification mail). */
  headers?: Record<string, string>;
}

export interface MailTransport {
  readonly kind: 'smtp' | 'file';
  send(message: MailMessage): Promise<void>;
  close(): void;
}

export interface MailOptions {
  smtpUrl: string | undefined;
  from: string;
  /** Where .eml files go without SMTP (`data/outbox/mail`). */
  outboxDir: string;
}

/**
 * SMTP through nodemailer when SMTP_URL is set; otherwise nodemailer builds
 * the same RFC 5322 message and it is written as an .eml file, so development
 * and tests see exactly what would have been sent, without a network.
 */
export function createMailTransport(options: MailOptions): MailTransport {
  if (options.smtpUrl) {
    const transport = nodemailer.createTransport(options.smtpUrl);
    return {
      kind: 'smtp',
      async send(message) {
        await transport.sendMail({ from: options.from, ...message });
      },
      close: () => transport.close(),
    };
  }
  const builder = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    kind: 'file',
    async send(message) {
      const info = await builder.sendMail({ from: options.from, ...message });
      // Time first so a directory listing reads in sending order.
      const name = `${new Date().toISOString().replaceAll(':', '-')}-${randomBytes(4).toString('hex')}.eml`;
      const file = path.join(options.outboxDir, name);
      // The directory is made when a write finds it missing (the first mail, or after someone
      // removed it), not before every mail: a mkdir per message was a syscall per note for nothing.
      await writeFile(file, info.message as Buffer).catch(async (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
        await mkdir(options.outboxDir, { recursive: true });
        await writeFile(file, info.message as Buffer);
      });
    },
    close: () => builder.close(),
  };
}
