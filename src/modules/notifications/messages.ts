/**
 * Every text a person can receive, per locale. English is the fallback for a
 * locale or a key that is missing. `{name}` placeholders are filled from the
 * notification's params.
 */
export const LOCALES = ['en', 'de'] as const;
export type Locale = (typeof LOCALES)[number];

type Texts = Record<string, { title: string; body: string }>;

const en: Texts = {
  'love-note.received': { title: '{sender} sent you a love note', body: 'Open the app to read it.' },
  'love-note.read': { title: '{reader} read your love note', body: 'Your note reached their heart.' },
  'love-note.reacted': {
    title: '{reactor} reacted {reaction} to your love note',
    body: 'See the reaction in the app.',
  },
  'couple.linked': {
    title: 'You are now linked with {partner}',
    body: 'Start by sending your first love note.',
  },
  'couple.unlinked': { title: 'Your couple link has ended', body: 'Your shared space is no longer active.' },
  'calendar.reminder': { title: 'Reminder: {title}', body: 'Starts {when}.' },
  'questions.partner-answered': {
    title: 'Your partner answered today’s question',
    body: 'Answer it too to see what they said.',
  },
  'questions.revealed': { title: 'Your answers are revealed', body: 'See what your partner answered today.' },
  'security.password-changed': {
    title: 'Your password was changed',
    body: 'If this was not you, reset your password now and contact support.',
  },
  'security.mfa-enabled': {
    title: 'Two-step sign-in is on',
    body: 'Your account now asks for a code when you sign in.',
  },
  'security.session-revoked': {
    title: 'We signed out a session for your safety',
    body: 'A sign-in token was used twice. If you did not expect this, change your password.',
  },
  'billing.invoice': {
    title: 'Your invoice {number}',
    body: 'Thank you: {total} was paid. The invoice PDF is in the app under Billing.',
  },
  'digest.title': { title: 'You have {count} new updates', body: '{lines}' },
};

const de: Texts = {
  'love-note.received': {
    title: '{sender} hat dir eine Liebesnachricht geschickt',
    body: 'Öffne die App, um sie zu lesen.',
  },
  'love-note.read': {
    title: '{reader} hat deine Liebesnachricht gelesen',
    body: 'Deine Nachricht ist angekommen.',
  },
  'love-note.reacted': {
    title: '{reactor} hat mit {reaction} auf deine Liebesnachricht reagiert',
    body: 'Sieh dir die Reaktion in der App an.',
  },
  'couple.linked': {
    title: 'Du bist jetzt mit {partner} verbunden',
    body: 'Schick zum Start deine erste Liebesnachricht.',
  },
  'couple.unlinked': {
    title: 'Eure Paarverbindung wurde beendet',
    body: 'Euer gemeinsamer Bereich ist nicht mehr aktiv.',
  },
  'calendar.reminder': { title: 'Erinnerung: {title}', body: 'Beginnt {when}.' },
  'questions.partner-answered': {
    title: 'Dein Schatz hat die Frage des Tages beantwortet',
    body: 'Antworte auch, um die Antwort zu sehen.',
  },
  'questions.revealed': {
    title: 'Eure Antworten sind aufgedeckt',
    body: 'Sieh dir an, was dein Schatz geantwortet hat.',
  },
  'security.password-changed': {
    title: 'Dein Passwort wurde geändert',
    body: 'Warst du das nicht? Setze dein Passwort jetzt zurück und melde dich beim Support.',
  },
  'security.mfa-enabled': {
    title: 'Die Anmeldung in zwei Schritten ist aktiv',
    body: 'Dein Konto fragt bei der Anmeldung jetzt nach einem Code.',
  },
  'security.session-revoked': {
    title: 'Wir haben zu deiner Sicherheit eine Sitzung beendet',
    body: 'Ein Anmeldetoken wurde doppelt benutzt. Wenn du das nicht erwartet hast, ändere dein Passwort.',
  },
  'billing.invoice': {
    title: 'Deine Rechnung {number}',
    body: 'Danke: {total} wurde bezahlt. Die Rechnung als PDF findest du in der App unter Abrechnung.',
  },
  'digest.title': { title: 'Du hast {count} neue Neuigkeiten', body: '{lines}' },
};

/** Strings of the mail layout around a notification. */
export const MAIL_TEXTS: Record<Locale, { open: string; unsubscribe: string; footer: string }> = {
  en: {
    open: 'Open One 2 One Love',
    unsubscribe: 'Unsubscribe from these emails',
    footer: 'You receive this email because of your notification settings.',
  },
  de: {
    open: 'One 2 One Love öffnen',
    unsubscribe: 'Diese E-Mails abbestellen',
    footer: 'Du erhältst diese E-Mail aufgrund deiner Benachrichtigungseinstellungen.',
  },
};

const TEXTS: Record<Locale, Texts> = { en, de };

export function toLocale(value: string | null | undefined): Locale {
  const language = (value ?? 'en').slice(0, 2).toLowerCase();
  return (LOCALES as readonly string[]).includes(language) ? (language as Locale) : 'en';
}

function fill(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
}

export function render(kind: string, locale: Locale, params: Record<string, string>) {
  const texts = TEXTS[locale][kind] ?? en[kind];
  if (!texts) throw new Error(`no message text for "${kind}"`);
  return { title: fill(texts.title, params), body: fill(texts.body, params) };
}
