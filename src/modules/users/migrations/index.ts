import type { Migrations } from '../../../platform/db/migrator.ts';
import * as mUsers from './20261125T1100_users.ts';

/** The migrations of the users module, in this folder only; names start with a UTC timestamp that orders them globally. */
export const migrations: Migrations = {
  '20261125T1100_users': mUsers,
};
