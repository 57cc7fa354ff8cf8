import type { Migrations } from '../../../platform/db/migrator.ts';
import * as mCoach from './20261202T1950_ai_coach.ts';

/** The migrations of the ai-coach module, in this folder only; names start with a UTC timestamp that orders them globally. */
export const migrations: Migrations = {
  '20261202T1950_ai_coach': mCoach,
};
