import { ApiError } from '@one2one/client';
import { useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useLiveEvents } from '../realtime/useLiveEvents.ts';
import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import { Loading, Page } from '../ui/Page.tsx';
import { HistoryList } from './HistoryList.tsx';
import { useToday } from './hooks.ts';
import { QuizCard } from './QuizCard.tsx';
import { ScoreCard } from './ScoreCard.tsx';
import { TodayCard } from './TodayCard.tsx';
import './questions.css';

export function QuestionPage() {
  const today = useToday();
  const queryClient = useQueryClient();
  // The partner's answer arrives live: read the day again (it may now be revealed).
  useLiveEvents((event) => {
    if (event.type === 'questions.partner-answered')
      void queryClient.invalidateQueries({ queryKey: ['questions'] });
  });

  if (today.isPending) {
    return (
      <Page title="Daily question">
        <Loading />
      </Page>
    );
  }
  if (today.error) {
    return (
      <Page title="Daily question">
        {today.error instanceof ApiError && today.error.status === 409 ? (
          <p className="card">
            The daily question is for the two of you. <Link to="/link">Link with your partner</Link> to start.
          </p>
        ) : (
          <ErrorNotice error={today.error} />
        )}
      </Page>
    );
  }
  return (
    <Page title="Daily question">
      <TodayCard today={today.data} />
      <QuizCard today={today.data} />
      <ScoreCard />
      <HistoryList />
    </Page>
  );
}
