/** A dependency /ready checks; modules may add their own (the bus adds NATS). */
export interface ReadinessCheck {
  name: string;
  /** Rejects when the dependency is unavailable; may resolve to a status line shown instead of `ok`. */
  check(): Promise<void | string>;
  /** Shown in /ready but never makes the process unready (a read replica: reads fall back to the primary). */
  optional?: boolean;
}
