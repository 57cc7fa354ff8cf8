declare module '../../platform/jobs/job-map.ts' {
  interface JobMap {
    /** Sends the event's reminders that are due, then schedules itself at the next one. */
    'calendar.remind': { coupleId: string; eventId: string };
  }
}

export const CALENDAR_JOBS = ['calendar.remind'] as const;
