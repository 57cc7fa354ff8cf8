import type { Migrations } from '../../../platform/db/migrator.ts';
import * as mFlags from './20261203T0400_feature_flags.ts';

/** The migrations of the feature-flags module, in this folder only. */
export const migrations: Migrations = {
  '20261203T0400_feature_flags': mFlags,
};
