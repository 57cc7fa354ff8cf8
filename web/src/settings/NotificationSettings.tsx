import { type BodyOf, type DataOf, unwrap } from '@one2one/client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { api } from '../api.ts';
import { ErrorNotice, fieldError } from '../ui/ErrorNotice.tsx';
import { Field } from '../ui/Field.tsx';
import { Loading } from '../ui/Page.tsx';
import { PushCard } from './PushCard.tsx';

type Matrix = DataOf<'/v1/notifications/preferences', 'get'>;
type Category = keyof Matrix;
type Channel = keyof Matrix[Category];

const PREFS = ['settings', 'notification-preferences'] as const;
const PROFILE_PREFS = ['settings', 'preferences'] as const;

const CATEGORIES: Array<[Category, string]> = [
  ['love-notes', 'Love notes'],
  ['reminders', 'Reminders'],
  ['coach', 'Coach'],
  ['couple', 'Partner and couple'],
  ['billing', 'Billing'],
  ['security', 'Security'],
  ['marketing', 'News and offers'],
];
const CHANNELS: Array<[Channel, string]> = [
  ['in_app', 'In the app'],
  ['web_push', 'Browser push'],
  ['mobile_push', 'Phone push'],
  ['email', 'Email'],
  ['sms', 'SMS'],
];
/** The API keeps these on: security mail and in-app messages cannot be switched off. */
const LOCKED = (category: Category, channel: Channel) =>
  category === 'security' && (channel === 'in_app' || channel === 'email');

function PreferencesMatrix() {
  const queryClient = useQueryClient();
  const prefs = useQuery({
    queryKey: PREFS,
    queryFn: () => unwrap(api.GET('/v1/notifications/preferences')),
  });
  // Optimistic: the box flips at once; a refusal puts it back and says why.
  const toggle = useMutation({
    mutationFn: (change: { category: Category; channel: Channel; on: boolean }) =>
      unwrap(
        api.PATCH('/v1/notifications/preferences', {
          body: { [change.category]: { [change.channel]: change.on } } as BodyOf<
            '/v1/notifications/preferences',
            'patch'
          >,
        }),
      ),
    onMutate: async ({ category, channel, on }) => {
      await queryClient.cancelQueries({ queryKey: PREFS });
      const before = queryClient.getQueryData<Matrix>(PREFS);
      if (before) {
        queryClient.setQueryData<Matrix>(PREFS, {
          ...before,
          [category]: { ...before[category], [channel]: on },
        });
      }
      return { before };
    },
    onError: (_error, _change, context) => {
      if (context?.before) queryClient.setQueryData(PREFS, context.before);
    },
    onSuccess: (data) => queryClient.setQueryData(PREFS, data),
  });

  if (prefs.isPending) return <Loading />;
  if (prefs.error) return <ErrorNotice error={prefs.error} />;
  return (
    <>
      <ErrorNotice error={toggle.error} />
      <div className="table-scroll">
        <table className="matrix">
          <caption>Which notifications reach you, and how</caption>
          <thead>
            <tr>
              <th scope="col">Category</th>
              {CHANNELS.map(([channel, label]) => (
                <th key={channel} scope="col">
                  {label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {CATEGORIES.map(([category, label]) => (
              <tr key={category}>
                <th scope="row">{label}</th>
                {CHANNELS.map(([channel, channelLabel]) => (
                  <td key={channel}>
                    <input
                      type="checkbox"
                      aria-label={`${label}: ${channelLabel}`}
                      checked={prefs.data[category][channel]}
                      disabled={LOCKED(category, channel)}
                      onChange={(event) => toggle.mutate({ category, channel, on: event.target.checked })}
                    />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function QuietHours() {
  const queryClient = useQueryClient();
  const prefs = useQuery({
    queryKey: PROFILE_PREFS,
    queryFn: () => unwrap(api.GET('/v1/users/me/preferences')),
  });
  const save = useMutation({
    mutationFn: (quietHours: { enabled: boolean; start: string; end: string }) =>
      unwrap(api.PATCH('/v1/users/me/preferences', { body: { quietHours } })),
    onSuccess: (data) => queryClient.setQueryData(PROFILE_PREFS, data),
  });
  if (prefs.isPending) return <Loading />;
  if (prefs.error) return <ErrorNotice error={prefs.error} />;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    save.mutate({
      enabled: form.get('enabled') === 'on',
      start: String(form.get('start')),
      end: String(form.get('end')),
    });
  }
  const quiet = prefs.data.quietHours;
  return (
    <form className="form" onSubmit={submit}>
      <div className="checkbox">
        <input id="quiet-enabled" name="enabled" type="checkbox" defaultChecked={quiet.enabled} />
        <label htmlFor="quiet-enabled">Hold notifications during quiet hours</label>
      </div>
      <div className="row two">
        <Field
          label="From"
          name="start"
          type="time"
          defaultValue={quiet.start}
          required
          error={fieldError(save.error, 'start')}
        />
        <Field
          label="Until"
          name="end"
          type="time"
          defaultValue={quiet.end}
          required
          error={fieldError(save.error, 'end')}
        />
      </div>
      <small className="hint">In your time zone; may wrap midnight. Security alerts still arrive.</small>
      <ErrorNotice error={save.error} />
      <div className="row">
        <button type="submit" disabled={save.isPending}>
          Save quiet hours
        </button>
        {save.isSuccess && (
          <span className="success" role="status">
            Saved.
          </span>
        )}
      </div>
    </form>
  );
}

export function NotificationSettings() {
  return (
    <>
      <PushCard />
      <section className="card" aria-labelledby="notification-channels">
        <h2 id="notification-channels">Channels</h2>
        <PreferencesMatrix />
      </section>
      <section className="card" aria-labelledby="quiet-hours">
        <h2 id="quiet-hours">Quiet hours</h2>
        <QuietHours />
      </section>
    </>
  );
}
