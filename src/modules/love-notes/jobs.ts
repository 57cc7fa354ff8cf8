declare module '../../platform/jobs/job-map.ts' {
  interface JobMap {
    /** Delivers one scheduled love note (or the next occurrence of a series) at its time. */
    'love-note.deliver': { coupleId: string; noteId: string };
    /** Daily and at worker start: creates the note partitions of this month and the next ones. */
    'love-note.partitions': Record<string, never>;
    /** Every LOVE_NOTES_SWEEP_MS: delivers due notes whose delivery job is missing or held by a dead worker. */
    'love-note.sweep': Record<string, never>;
  }
}

export const LOVE_NOTES_JOBS = ['love-note.deliver', 'love-note.partitions', 'love-note.sweep'] as const;
