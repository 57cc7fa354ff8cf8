import { configSection } from '../../platform/config.ts';

declare module '../../platform/config.ts' {
  interface ModuleConfigs {
    loveNotes: {
      /** How often one worker sweeps for due love notes whose delivery job is missing or stuck. */
      sweepMs: number;
    };
  }
}

/** `LOVE_NOTES_SWEEP_MS`. */
export const loveNotesConfig = configSection('loveNotes', (r) => ({
  sweepMs: r.int('LOVE_NOTES_SWEEP_MS', 30_000, 100, 3_600_000),
}));
