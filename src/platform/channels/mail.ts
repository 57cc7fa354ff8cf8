import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { newId } from '../ids.ts';

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
 * Quoted-printable for a message that reads mostly in Latin letters, base64 otherwise: the rule
 * nodemailer applies when it is not told, counted here in one pass over the plain text. Left to
 * nodemailer, the check ran per text part and per header (a regex match array of every Latin letter
 * of the HTML part), 6% of the worker's CPU on the note pipeline. The HTML part follows the text.
 */
export function textEncodingFor(text: string): 'quoted-printable' | 'base64' {
  let latin = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const lower = code | 0x20;
    if (lower >= 0x61 && lower <= 0x7a) latin++;
    else if (code >= 0x80 || (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d)) other++;
  }
  return other < latin ? 'quoted-printable' : 'base64';
}

/**
 * SMTP through nodemailer when SMTP_URL is set; otherwise nodemailer builds
 * the same RFC 5322 message and it is written as an .eml file, so development
 * and tests see exactly what would have been sent, without a network.
 */
export function createMailTransport(options: MailOptions): MailTransport {
  const domain = /@([^@>\s]+)>?\s*$/.exec(options.from)?.[1] ?? 'localhost';
  /**
   * What nodemailer would choose itself, chosen cheaper: the encoding (textEncodingFor), and the
   * Message-ID and multipart boundary from one time-ordered id (the uuid library draws from a
   * pooled random buffer) where nodemailer made eight small crypto.randomBytes calls per message.
   */
  const compose = (message: MailMessage) => {
    const id = newId();
    return {
      from: options.from,
      textEncoding: textEncodingFor(message.text),
      messageId: `<${id}@${domain}>`,
      baseBoundary: id.replaceAll('-', ''),
      ...message,
    };
  };
  if (options.smtpUrl) {
    const transport = nodemailer.createTransport(options.smtpUrl);
    return {
      kind: 'smtp',
      async send(message) {
        await transport.sendMail(compose(message));
      },
      close: () => transport.close(),
    };
  }
  const builder = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    kind: 'file',
    async send(message) {
      const mail = compose(message);
      const info = await builder.sendMail(mail);
      // Time first so a directory listing reads in sending order; the Message-ID's id keeps names apart.
      const name = `${new Date().toISOString().replaceAll(':', '-')}-${mail.baseBoundary.slice(-8)}.eml`;
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
