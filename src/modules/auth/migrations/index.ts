import type { Migrations } from '../../../platform/db/migrator.ts';
import * as mAuth from './20261125T1102_auth.ts';
import * as mAuthSingleSources from './20261202T1701_auth_single_sources.ts';
import * as mAuthSessionsRevokedAt from './20261203T1500_auth_sessions_revoked_at.ts';

/** The migrations of the auth module, in this folder only; names start with a UTC timestamp that orders them globally. */
export const migrations: Migrations = {
  '20261125T1102_auth': mAuth,
  '20261202T1701_auth_single_sources': mAuthSingleSources,
  '20261203T1500_auth_sessions_revoked_at': mAuthSessionsRevokedAt,
};
