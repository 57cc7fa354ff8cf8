import { ApiError, type DataOf, unwrap } from '@one2one/client';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api.ts';

export type Couple = DataOf<'/v1/couples/me', 'get'>;
export type Invite = DataOf<'/v1/couples/invites/{code}', 'get'>;

/** The same key and answer as the home page's: a 404 means "not linked yet". */
export const coupleKey = ['couple'] as const;

export function useCouple(refetchInterval: number | false = false) {
  const query = useQuery({
    queryKey: coupleKey,
    queryFn: () => unwrap(api.GET('/v1/couples/me')),
    refetchInterval,
  });
  const notLinked = query.error instanceof ApiError && query.error.status === 404;
  return {
    query,
    couple: query.data,
    /** active: linked now; closed: the 30 read-only days after an unlink; none: never linked (or purged). */
    state: query.isPending
      ? ('loading' as const)
      : notLinked
        ? ('none' as const)
        : query.error
          ? ('error' as const)
          : query.data?.status === 'active'
            ? ('active' as const)
            : ('closed' as const),
  };
}

/** The partner's name as this app shows it. */
export function partnerName(couple: Couple | undefined): string {
  return (
    couple?.nicknames.forPartner ?? couple?.partner?.displayName ?? couple?.partner?.handle ?? 'your partner'
  );
}

/** A typed or pasted code as the API expects it: Crockford base32 is case-insensitive, people add spaces. */
export function normaliseCode(text: string): string {
  return text.replace(/[\s-]/g, '').toUpperCase();
}
