import { DISTRIBUTION } from '../src/distribution.ts';
import { citusPlan } from '../src/platform/db/distribution.ts';

/**
 * `npm run citus:plan`: prints the Citus statements for every table of the
 * map in src/distribution.ts (docs/scaling.md quotes the output, and
 * test/platform/citus-readiness.test.ts checks that the quote is current).
 */
process.stdout.write(citusPlan(DISTRIBUTION));
