import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planDeliveries } from './planner.ts';
import { applyOverrides, defaultPreferences } from './preferences.ts';

const everywhere = { web_push: 1, mobile_push: 1, email: 1, sms: 1 };
const now = new Date('2026-11-25T12:00:00Z');
const loveNote = { category: 'love-notes', priority: 'normal', fallbackToEmail: true } as const;
const summary = (plans: ReturnType<typeof planDeliveries>) =>
  Object.fromEntries(
    plans.map((p) => [p.channel, `${p.status}${p.reason ? `:${p.reason}` : ''}${p.digest ? ':digest' : ''}`]),
  );

describe('delivery planning', () => {
  it('sends a love note by push, keeps email as the fallback, and leaves SMS off by default', () => {
    assert.deepEqual(summary(planDeliveries(loveNote, defaultPreferences(), everywhere, undefined, now)), {
      web_push: 'pending',
      mobile_push: 'pending',
      sms: 'suppressed:preference',
    });
  });

  it('falls back to email at once when no push target exists', () => {
    const noPush = { ...everywhere, web_push: 0, mobile_push: 0 };
    assert.deepEqual(summary(planDeliveries(loveNote, defaultPreferences(), noPush, undefined, now)), {
      web_push: 'suppressed:no-target',
      mobile_push: 'suppressed:no-target',
      email: 'pending',
      sms: 'suppressed:preference',
    });
  });

  it('does not fall back to email when the person switched love-note email off', () => {
    const prefs = applyOverrides(defaultPreferences(), { 'love-notes': { email: false } });
    const noPush = { ...everywhere, web_push: 0, mobile_push: 0 };
    assert.equal(
      summary(planDeliveries(loveNote, prefs, noPush, undefined, now)).email,
      'suppressed:preference',
    );
  });

  it('honours preferences per category and channel; security cannot be switched off', () => {
    const prefs = applyOverrides(defaultPreferences(), {
      couple: { web_push: false, sms: true },
      security: { email: false, in_app: false },
    });
    const couple = summary(
      planDeliveries({ category: 'couple', priority: 'normal' }, prefs, everywhere, undefined, now),
    );
    assert.deepEqual(couple, {
      web_push: 'suppressed:preference',
      mobile_push: 'pending',
      email: 'pending',
      sms: 'pending',
    });
    assert.equal(prefs.security.email, true);
    assert.equal(prefs.security.in_app, true);
  });

  it('holds non-urgent channels until quiet hours end, but not urgent ones', () => {
    const recipient = { time_zone: 'Europe/Berlin', quiet_start: 22 * 60, quiet_end: 7 * 60 };
    const lateEvening = new Date('2026-11-25T22:30:00Z'); // 23:30 in Berlin
    const held = planDeliveries(loveNote, defaultPreferences(), everywhere, recipient, lateEvening);
    assert.ok(
      held
        .filter((p) => p.status === 'pending')
        .every((p) => p.runAt.toISOString() === '2026-11-26T06:00:00.000Z'),
    );
    assert.equal(held.find((p) => p.channel === 'web_push')?.reason, 'quiet-hours');
    const urgent = planDeliveries(
      { category: 'security', priority: 'urgent' },
      defaultPreferences(),
      everywhere,
      recipient,
      lateEvening,
    );
    assert.ok(urgent.filter((p) => p.status === 'pending').every((p) => p.runAt === lateEvening));
  });

  it('puts low-priority items in the digest and keeps kind restrictions', () => {
    const reaction = {
      category: 'love-notes' as const,
      priority: 'low' as const,
      channels: ['in_app' as const, 'email' as const],
    };
    assert.deepEqual(summary(planDeliveries(reaction, defaultPreferences(), everywhere, undefined, now)), {
      email: 'pending:digest',
    });
  });
});
