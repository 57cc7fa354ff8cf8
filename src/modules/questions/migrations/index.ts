import type { Migrations } from '../../../platform/db/migrator.ts';
import * as mQuestions from './20261202T2030_questions.ts';

/** The migrations of the questions module, in this folder only. */
export const migrations: Migrations = {
  '20261202T2030_questions': mQuestions,
};
