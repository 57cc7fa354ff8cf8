declare module '../../platform/bus/events.ts' {
  interface EventMap {
    /** A partner answered the couple's question of the day (never the answer itself). */
    'questions.answered': {
      coupleId: string;
      day: string;
      questionId: string;
      userId: string;
      partnerId: string | null;
      bothAnswered: boolean;
    };
  }
}

/** What the questions module publishes, in the transaction of the change. */
export const QUESTIONS_EVENTS = ['questions.answered'] as const;
