import type { MailMessage } from '../../platform/channels/mail.ts';
import type { AuthContext, RequestMeta } from './context.ts';

/** The mails auth sends. Plain text: links and facts, nothing a filter would take for marketing. */
export const mails = {
  verifyEmail: (appUrl: string, to: string, token: string): MailMessage => ({
    to,
    subject: 'Confirm your email address',
    text: `Welcome to One 2 One Love.\n\nConfirm your email address within 24 hours:\n${appUrl}/verify-email?token=${token}\n\nIf you did not sign up, ignore this mail.`,
  }),
  resetPassword: (appUrl: string, to: string, token: string): MailMessage => ({
    to,
    subject: 'Reset your password',
    text: `Someone asked to reset the password of your One 2 One Love account.\n\nChoose a new password within 1 hour:\n${appUrl}/reset-password?token=${token}\n\nIf it was not you, ignore this mail: your password stays as it is.`,
  }),
  alreadyRegistered: (appUrl: string, to: string): MailMessage => ({
    to,
    subject: 'Someone tried to sign up with your email',
    text: `Someone tried to create a One 2 One Love account with this address, which already has one.\n\nIf it was you, sign in or reset your password at ${appUrl}/forgot-password.`,
  }),
  newLogin: (to: string, meta: RequestMeta, at: Date): MailMessage => ({
    to,
    subject: 'New sign-in to your account',
    text: `Your One 2 One Love account was signed in to from a new device.\n\nWhen: ${at.toISOString()}\nDevice: ${meta.userAgent ?? 'unknown'}\nIP address: ${meta.ip}\n\nIf it was not you, change your password and sign out of all sessions.`,
  }),
  mfaChanged: (to: string, enabled: boolean): MailMessage => ({
    to,
    subject: enabled ? 'Two-step verification is on' : 'Two-step verification was turned off',
    text: enabled
      ? 'Two-step verification is now on for your One 2 One Love account. Keep your recovery codes somewhere safe.'
      : 'Two-step verification was turned off for your One 2 One Love account. If it was not you, reset your password now.',
  }),
};

/**
 * Mail goes out after the change committed and never holds up or fails the
 * request: a slow SMTP server must not make an answer slower for an existing
 * account than for an unknown one (enumeration by timing).
 */
export function sendInBackground(ctx: AuthContext, message: MailMessage): void {
  ctx.mail.send(message).catch((error: unknown) => {
    ctx.log.error({ err: error, subject: message.subject }, 'sending an auth mail failed');
  });
}
