/** A dependency /ready checks; modules may add their own (the bus adds NATS). */
export interface ReadinessCheck {
  name: string;
  /** Rejects when the dependency is unavailable; a string it resolves to is shown instead of `ok`. */
  check(): Promise<unknown>;
  /** Shown in /ready but never makes the process unready (a read replica: reads fall back to the primary). */
  optional?: boolean;
}
