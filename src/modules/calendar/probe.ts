import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * rrule walks forward until its year 9999 when a rule yields nothing (say
 * FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30): about half a minute of one CPU, and
 * no option stops it. So a new rule's first occurrence is found in a worker
 * thread with a deadline before it is accepted. A rule that yields its first
 * occurrence quickly repeats at least every 400 years (the Gregorian cycle),
 * so later expansions stop soon after the window they are asked for.
 */
const rrulePath = createRequire(import.meta.url).resolve('rrule');

const SCRIPT = `
const { parentPort, workerData } = require('node:worker_threads');
const { RRule } = require(workerData.rrulePath);
const options = RRule.parseString(workerData.rule);
delete options.until;
delete options.count;
const dtstart = new Date(workerData.dtstart);
const first = new RRule({ ...options, dtstart }).after(dtstart, true);
parentPort.postMessage(first ? first.getTime() : null);
`;

export type Probe = { first: Date | null } | 'too-slow';

/** The first wall time (floating frame) the rule yields from `dtstart`, ignoring COUNT and UNTIL. */
export function firstOccurrence(rule: string, dtstart: Date, deadlineMs = 3000): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(SCRIPT, {
      eval: true,
      workerData: { rrulePath, rule, dtstart: dtstart.getTime() },
      resourceLimits: { maxOldGenerationSizeMb: 64 },
    });
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve('too-slow');
    }, deadlineMs);
    worker.once('message', (value: number | null) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve({ first: value === null ? null : new Date(value) });
    });
    worker.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
