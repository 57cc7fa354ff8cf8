import { type DataOf, unwrap } from '@one2one/client';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api.ts';

export type Today = DataOf<'/v1/questions/today', 'get'>;
export type Day = DataOf<'/v1/questions/history', 'get'>[number];

export function useToday() {
  return useQuery({
    queryKey: ['questions', 'today'],
    queryFn: () => unwrap(api.GET('/v1/questions/today')),
  });
}

export function useScore(enabled: boolean) {
  return useQuery({
    queryKey: ['questions', 'score'],
    queryFn: () => unwrap(api.GET('/v1/questions/quiz/score')),
    enabled,
  });
}

const PAGE = 10;

/** The couple's past days, newest first, a page at a time (the API's keyset cursor). */
export function useHistory(enabled: boolean) {
  return useInfiniteQuery({
    queryKey: ['questions', 'history'],
    queryFn: async ({ pageParam }) => {
      const answer = await api.GET('/v1/questions/history', {
        params: { query: { limit: PAGE, ...(pageParam ? { cursor: pageParam } : {}) } },
      });
      const days = await unwrap(Promise.resolve(answer));
      return { days, next: answer.data?.meta.nextCursor ?? null };
    },
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next,
    enabled,
  });
}

/** Answer, guess and judge all answer with the day's new state: it replaces today's at once. */
export function useQuestionMutations() {
  const queryClient = useQueryClient();
  const settle = (today?: Today) => {
    if (today) queryClient.setQueryData(['questions', 'today'], today);
    void queryClient.invalidateQueries({ queryKey: ['questions'] });
  };
  const answer = useMutation({
    mutationFn: (text: string) => unwrap(api.POST('/v1/questions/today/answer', { body: { answer: text } })),
    onSuccess: settle,
  });
  const guess = useMutation({
    mutationFn: (text: string) =>
      unwrap(api.POST('/v1/questions/quiz/today/guess', { body: { guess: text } })),
    onSuccess: settle,
  });
  const judge = useMutation({
    mutationFn: (input: { day: string; correct: boolean }) =>
      unwrap(api.POST('/v1/questions/quiz/judge', { body: input })),
    onSuccess: () => settle(),
  });
  return { answer, guess, judge };
}
