import type { PersonalData } from '../../platform/module.ts';
import type { Platform } from '../../platform/platform.ts';
import type { ObjectStorage } from '../../platform/storage/index.ts';
import type { Background } from './background.ts';
import type { UsersDb } from './tables.ts';

/** Who is this user's partner; provided by the couples module at wiring time. */
export type PartnerLookup = (db: UsersDb, userId: string) => Promise<string | null>;

/**
 * Checks a password or MFA code before an irreversible step (account
 * deletion). The auth module owns credentials and registers the real one;
 * without it, deletion is refused rather than unconfirmed.
 */
export type IdentityConfirmer = (
  userId: string,
  proof: { password?: string; code?: string },
) => Promise<boolean>;

export interface PersonalDataOwner {
  name: string;
  personalData?: PersonalData;
}

/** What the users module's use cases need, passed explicitly. */
export interface UsersContext {
  platform: Platform;
  db: UsersDb;
  storage: ObjectStorage;
  partnerOf: PartnerLookup;
  /** Every module, for export and erasure (all of them, not only the mounted ones). */
  dataOwners: () => PersonalDataOwner[];
  confirmIdentity: () => IdentityConfirmer | undefined;
  background: Background;
}
