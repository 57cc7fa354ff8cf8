/** A dependency /ready checks; modules may add their own (the bus adds NATS). */
export interface ReadinessCheck {
  name: string;
  /** Rejects when the dependency is unavailable; a string it resolves to is shown instead of `ok`. */
  check(): Promise<unknown>;
  /** Shown in /ready but never makes the process unready (a read replica: reads fall back to the primary). */
  optional?: boolean;
}

/**
 * Every check at once, each with its own timeout: `ok` (or the status string a check resolves to) or
 * `unavailable` by name, and the names of the failed required checks (an optional one never fails).
 */
export async function runReadinessChecks(
  checks: ReadinessCheck[],
  timeoutMs = 2000,
): Promise<{ checks: Record<string, string>; failed: string[] }> {
  const results = await Promise.all(
    checks.map(async ({ name, check, optional }) => {
      try {
        const status = await withTimeout(check(), timeoutMs);
        return [name, typeof status === 'string' ? status : 'ok', true] as const;
      } catch {
        return [name, optional ? 'unavailable (not required)' : 'unavailable', optional === true] as const;
      }
    }),
  );
  return {
    checks: Object.fromEntries(results.map(([name, status]) => [name, status])),
    failed: results.filter(([, , ok]) => !ok).map(([name]) => name),
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
