import { ApiError, type BodyOf, type DataOf, unwrap } from '@one2one/client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api.ts';
import type { YearMonth } from './dates.ts';

export type Occurrence = DataOf<'/v1/calendar', 'get'>['occurrences'][number];
export type CalendarEvent = DataOf<'/v1/calendar/events/{id}', 'get'>;
export type Countdown = DataOf<'/v1/calendar/countdowns', 'get'>[number];
export type NewEvent = BodyOf<'/v1/calendar/events', 'post'>;
export type EventChange = BodyOf<'/v1/calendar/events/{id}', 'patch'>;

/** The signed-in person's profile: its time zone is the calendar's. */
export function useProfile() {
  return useQuery({
    queryKey: ['calendar', 'profile'],
    queryFn: () => unwrap(api.GET('/v1/users/me')),
    staleTime: 5 * 60_000,
  });
}

export function useMonth(view: YearMonth, timeZone: string | undefined) {
  return useQuery({
    queryKey: ['calendar', 'month', view.year, view.month, timeZone],
    queryFn: () =>
      unwrap(
        api.GET('/v1/calendar', {
          params: { query: { year: view.year, month: view.month, ...(timeZone ? { timeZone } : {}) } },
        }),
      ),
    enabled: timeZone !== undefined,
    placeholderData: (previous) => previous,
  });
}

export function useEvent(id: string | null) {
  return useQuery({
    queryKey: ['calendar', 'event', id],
    queryFn: () => unwrap(api.GET('/v1/calendar/events/{id}', { params: { path: { id: id ?? '' } } })),
    enabled: id !== null,
  });
}

export function useCountdowns(enabled = true) {
  return useQuery({
    queryKey: ['calendar', 'countdowns'],
    queryFn: () => unwrap(api.GET('/v1/calendar/countdowns')),
    enabled,
  });
}

/** Create, change or delete: every month, list and countdown is read again afterwards. */
export function useEventMutations() {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['calendar'] });
  const create = useMutation({
    // One key per submission: the client's own retries of it cannot create the event twice.
    mutationFn: (body: NewEvent) =>
      unwrap(api.POST('/v1/calendar/events', { body, headers: { 'Idempotency-Key': crypto.randomUUID() } })),
    onSuccess: refresh,
  });
  const update = useMutation({
    mutationFn: ({ id, body }: { id: string; body: EventChange }) =>
      unwrap(api.PATCH('/v1/calendar/events/{id}', { params: { path: { id } }, body })),
    onSuccess: refresh,
  });
  const remove = useMutation({
    // Its success has no data (`data: null`), which unwrap's typing does not take: checked here.
    mutationFn: async (id: string) => {
      const { error, response } = await api.DELETE('/v1/calendar/events/{id}', { params: { path: { id } } });
      if (!response.ok) {
        const errors = error?.errors ?? [
          { code: `HTTP_${response.status}`, message: 'Could not delete the event.' },
        ];
        throw new ApiError(response.status, errors, error?.meta.requestId);
      }
    },
    onSuccess: refresh,
  });
  return { create, update, remove };
}

export function useRotateFeed() {
  return useMutation({ mutationFn: () => unwrap(api.POST('/v1/calendar/feed')) });
}
