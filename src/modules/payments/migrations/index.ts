import type { Migrations } from '../../../platform/db/migrator.ts';
import * as mPayments from './20261202T2000_payments.ts';

/** The migrations of the payments module, in this folder only. */
export const migrations: Migrations = {
  '20261202T2000_payments': mPayments,
};
