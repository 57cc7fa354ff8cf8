import type { Migrations } from '../../../platform/db/migrator.ts';
import * as mApiKeys from './20261203T0430_api_keys.ts';

/** The migrations of the api-keys module, in this folder only. */
export const migrations: Migrations = {
  '20261203T0430_api_keys': mApiKeys,
};
