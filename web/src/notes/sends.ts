import { type Mutation, useMutationState, useQueryClient } from '@tanstack/react-query';
import { SEND_KEY } from './mutations.ts';
import type { Note, SendInput } from './types.ts';

type SendMutation = Mutation<Note, Error, SendInput>;

/** Sends still on their way: drawn at the top of "sent" or "scheduled" until the API answers. */
export function usePendingSends(): Array<{ key: number; input: SendInput; at: number }> {
  return useMutationState({
    filters: { mutationKey: SEND_KEY, status: 'pending' },
    select: (mutation) => {
      const send = mutation as SendMutation;
      return { key: send.mutationId, input: send.state.variables as SendInput, at: send.state.submittedAt };
    },
  });
}

/** Refused sends, kept until dismissed: the person sees why, and can take the draft back. */
export function useSendFailures() {
  const client = useQueryClient();
  const failures = useMutationState({
    filters: { mutationKey: SEND_KEY, status: 'error' },
    select: (mutation) => mutation as SendMutation,
  });
  return failures.map((mutation) => ({
    key: mutation.mutationId,
    error: mutation.state.error,
    input: mutation.state.variables as SendInput,
    dismiss: () => client.getMutationCache().remove(mutation),
  }));
}
