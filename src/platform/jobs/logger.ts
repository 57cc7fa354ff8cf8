import { Logger as GraphileLogger, type LogLevel } from 'graphile-worker';
import type { Logger } from 'pino';

/** graphile-worker logs through pino like the rest of the process (or not at all). */
export function graphileLogger(log: Logger | undefined): GraphileLogger {
  return new GraphileLogger(() => (level: LogLevel, message: string, meta?: unknown) => {
    if (!log) return;
    const method =
      level === 'error' ? 'error' : level === 'warning' ? 'warn' : level === 'info' ? 'info' : 'debug';
    log[method]({ jobs: meta }, message);
  });
}
