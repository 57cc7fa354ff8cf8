/** A dependency /ready checks; modules may add their own (the bus adds NATS). */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}
