import { type DataOf, unwrap } from '@one2one/client';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api.ts';

export type Conversation = DataOf<'/v1/coach/conversations', 'get'>[number];
export type CoachMessage = DataOf<'/v1/coach/conversations/{id}/messages', 'get'>[number];

export const coachKeys = {
  conversations: ['coach', 'conversations'] as const,
  messages: (id: string) => ['coach', 'messages', id] as const,
  memory: ['coach', 'memory'] as const,
};

export function useConversations() {
  return useQuery({
    queryKey: coachKeys.conversations,
    queryFn: () => unwrap(api.GET('/v1/coach/conversations', { params: { query: { limit: 50 } } })),
  });
}

/** A conversation's messages, oldest first (the API pages newest first). */
export function useMessages(id: string) {
  return useQuery({
    queryKey: coachKeys.messages(id),
    queryFn: async () => {
      const page = await unwrap(
        api.GET('/v1/coach/conversations/{id}/messages', {
          params: { path: { id }, query: { limit: 100 } },
        }),
      );
      return [...page].reverse();
    },
  });
}
