import { configSection } from '../../platform/config.ts';

declare module '../../platform/config.ts' {
  interface ModuleConfigs {
    featureFlags: {
      /**
       * How long a process evaluates flags from its in-process copy before it
       * reads the definitions again: the bound within which a change made
       * through another process reaches this one.
       */
      refreshMs: number;
    };
  }
}

/** `FEATURE_FLAGS_REFRESH_MS`. */
export const featureFlagsConfig = configSection('featureFlags', (r) => ({
  refreshMs: r.int('FEATURE_FLAGS_REFRESH_MS', 5_000, 50, 300_000),
}));
