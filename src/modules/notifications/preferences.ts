import type { Category, Channel, PreferenceOverrides } from './tables.ts';

export type PreferenceMatrix = Record<Category, Record<Channel, boolean>>;

const ALL_ON = { in_app: true, web_push: true, mobile_push: true, email: true, sms: false };

/**
 * STAND-IN until the users module owns preferences: the defaults every user
 * starts with. The users module's preferences replace this through
 * `NotificationsOptions.preferences` (see index.ts); nothing else reads it.
 *
 * Reasoning for the defaults: love notes and couple changes are what the app
 * is for, so every channel but SMS (which costs money per message) is on;
 * coach and reminders skip email; billing goes by email; marketing is
 * opt-in everywhere but the inbox.
 */
export function defaultPreferences(): PreferenceMatrix {
  return {
    'love-notes': { ...ALL_ON },
    reminders: { ...ALL_ON, email: false },
    coach: { ...ALL_ON, email: false },
    couple: { ...ALL_ON },
    billing: { in_app: true, web_push: false, mobile_push: false, email: true, sms: false },
    security: { in_app: true, web_push: true, mobile_push: true, email: true, sms: false },
    marketing: { in_app: true, web_push: false, mobile_push: false, email: false, sms: false },
  };
}

/** Applies a person's switches to the defaults; `security` email and in-app cannot be switched off. */
export function applyOverrides(base: PreferenceMatrix, overrides: PreferenceOverrides): PreferenceMatrix {
  const result = structuredClone(base);
  for (const [category, channels] of Object.entries(overrides) as [
    Category,
    Partial<Record<Channel, boolean>>,
  ][]) {
    if (!result[category]) continue;
    for (const [channel, on] of Object.entries(channels) as [Channel, boolean][]) {
      if (channel in result[category]) result[category][channel] = on;
    }
  }
  result.security.in_app = true;
  result.security.email = true;
  return result;
}

/** Mandatory mail has no unsubscribe link: there is nothing to unsubscribe from. */
export const MANDATORY_CATEGORIES: ReadonlySet<Category> = new Set(['security']);
