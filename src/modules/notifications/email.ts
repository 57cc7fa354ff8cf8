import type { FieldEncryption } from '../../platform/security/field-encryption.ts';
import { type Locale, MAIL_TEXTS } from './messages.ts';
import { MANDATORY_CATEGORIES } from './preferences.ts';
import type { Category } from './tables.ts';

/** What the mail transport sends (src/platform/channels/mail.ts), with our extra headers. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

export interface MailLinks {
  /** The web app: "open" links. */
  appUrl: string;
  /** This API: the one-click unsubscribe endpoint. */
  publicUrl: string;
}

const CONTEXT = 'notifications.unsubscribe';

/**
 * Unsubscribe tokens are the user id and category sealed with the field
 * encryption key ring (AES-256-GCM): unforgeable and tamper-evident like a
 * signature, and they keep working across key rotation because the key id
 * travels inside. No expiry: an old mail's link should still work.
 */
export function unsubscribeToken(encryption: FieldEncryption, userId: string, category: Category): string {
  return Buffer.from(encryption.encrypt(JSON.stringify({ u: userId, c: category }), CONTEXT)).toString(
    'base64url',
  );
}

export function readUnsubscribeToken(
  encryption: FieldEncryption,
  token: string,
): { userId: string; category: Category } | undefined {
  try {
    const parsed = JSON.parse(
      encryption.decrypt(Buffer.from(token, 'base64url').toString('utf8'), CONTEXT),
    ) as {
      u?: unknown;
      c?: unknown;
    };
    if (typeof parsed.u !== 'string' || typeof parsed.c !== 'string') return undefined;
    return { userId: parsed.u, category: parsed.c as Category };
  } catch {
    return undefined;
  }
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

export interface MailContent {
  to: string;
  userId: string;
  locale: Locale;
  category: Category;
  subject: string;
  /** Paragraphs of the message. */
  lines: string[];
  /** Deep link path in the app, e.g. `/notes/123`. */
  path: string;
}

/**
 * The HTML and plain-text parts of a notification mail. Non-mandatory
 * categories carry `List-Unsubscribe` with both a one-click HTTPS URL
 * (RFC 8058, which Gmail and Yahoo require of bulk senders) and the same
 * link in the body.
 */
export function renderMail(
  content: MailContent,
  links: MailLinks,
  encryption: FieldEncryption,
): OutgoingMail {
  const t = MAIL_TEXTS[content.locale];
  const openUrl = `${links.appUrl}${content.path}`;
  const headers: Record<string, string> = {};
  let unsubscribeUrl: string | undefined;
  if (!MANDATORY_CATEGORIES.has(content.category)) {
    const token = unsubscribeToken(encryption, content.userId, content.category);
    unsubscribeUrl = `${links.publicUrl}/v1/notifications/unsubscribe?token=${token}`;
    headers['List-Unsubscribe'] = `<${unsubscribeUrl}>`;
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  const text = [
    ...content.lines,
    '',
    `${t.open}: ${openUrl}`,
    '',
    '--',
    t.footer,
    ...(unsubscribeUrl ? [`${t.unsubscribe}: ${unsubscribeUrl}`] : []),
  ].join('\n');
  const html = `<!doctype html>
<html lang="${content.locale}"><head><meta charset="utf-8"><title>${escapeHtml(content.subject)}</title></head>
<body style="font-family:sans-serif;max-width:560px;margin:auto;padding:24px;color:#222">
<h1 style="font-size:20px">${escapeHtml(content.subject)}</h1>
${content.lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('\n')}
<p><a href="${escapeHtml(openUrl)}" style="background:#d6336c;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none">${escapeHtml(t.open)}</a></p>
<hr><p style="font-size:12px;color:#666">${escapeHtml(t.footer)}${
    unsubscribeUrl ? ` <a href="${escapeHtml(unsubscribeUrl)}">${escapeHtml(t.unsubscribe)}</a>` : ''
  }</p>
</body></html>`;
  return { to: content.to, subject: content.subject, text, html, headers };
}
