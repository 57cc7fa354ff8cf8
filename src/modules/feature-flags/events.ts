declare module '../../platform/bus/events.ts' {
  interface EventMap {
    /**
     * A flag definition was created, changed or deleted by an admin (the
     * envelope's actorId). `flag` is the definition after the change, null
     * after a deletion.
     */
    'feature-flag.changed': {
      key: string;
      action: 'created' | 'updated' | 'deleted';
      flag: {
        enabled: boolean;
        defaultValue: boolean;
        rolloutPercentage: number;
        allowUsers: number;
        denyUsers: number;
      } | null;
    };
  }
}

/** What the feature-flags module publishes, in the transaction of the change. */
export const FEATURE_FLAG_EVENTS = ['feature-flag.changed'] as const;
