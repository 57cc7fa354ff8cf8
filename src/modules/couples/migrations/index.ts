import type { Migrations } from '../../../platform/db/migrator.ts';
import * as mCouples from './20261125T1101_couples.ts';
import * as mCouplesInvitesInviter from './20261204T1500_couples_invites_inviter.ts';

/** The migrations of the couples module, in this folder only; names start with a UTC timestamp that orders them globally. */
export const migrations: Migrations = {
  '20261125T1101_couples': mCouples,
  '20261204T1500_couples_invites_inviter': mCouplesInvitesInviter,
};
