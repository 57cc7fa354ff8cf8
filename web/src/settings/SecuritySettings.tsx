import { useQueryClient } from '@tanstack/react-query';
import { Loading } from '../ui/Page.tsx';
import { MfaCard } from './MfaCard.tsx';
import { PasswordCard } from './PasswordCard.tsx';
import { SESSIONS, SessionsCard, useSessions } from './SessionsCard.tsx';

export function SecuritySettings() {
  const queryClient = useQueryClient();
  const sessions = useSessions();
  const current = sessions.data?.find((s) => s.current);
  return (
    <>
      {sessions.isPending ? (
        <Loading />
      ) : (
        <MfaCard
          signedInWithCode={current?.method.includes('totp') ?? false}
          onChanged={() => queryClient.invalidateQueries({ queryKey: SESSIONS })}
        />
      )}
      <SessionsCard />
      <PasswordCard />
    </>
  );
}
