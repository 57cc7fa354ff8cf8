/** A dependency /ready checks; modules may add their own (the bus adds NATS). */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

/** Every check at once, each with its own timeout: `ok` or `unavailable` by name, and the failed names. */
export async function runReadinessChecks(
  checks: ReadinessCheck[],
  timeoutMs = 2000,
): Promise<{ checks: Record<string, 'ok' | 'unavailable'>; failed: string[] }> {
  const results = await Promise.all(
    checks.map(async ({ name, check }) => {
      try {
        await withTimeout(check(), timeoutMs);
        return [name, 'ok'] as const;
      } catch {
        return [name, 'unavailable'] as const;
      }
    }),
  );
  return {
    checks: Object.fromEntries(results),
    failed: results.filter(([, status]) => status !== 'ok').map(([name]) => name),
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
