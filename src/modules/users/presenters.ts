import type { ObjectStorage } from '../../platform/storage/index.ts';
import type { AvatarRecord, ProfileRow } from './tables.ts';

/** The three views of a profile: public card, what a partner sees, what the owner sees. */

export const AVATAR_SIZES = { small: 64, medium: 256, large: 1024 } as const;

export function avatarKey(userId: string, hash: string, size: number): string {
  return `public/avatars/${userId}/${hash}-${size}.webp`;
}

export function avatarPrefix(userId: string): string {
  return `public/avatars/${userId}/`;
}

function avatarUrls(storage: ObjectStorage, userId: string, avatar: AvatarRecord | null) {
  if (!avatar) return null;
  const url = (size: number) => storage.publicUrl(avatarKey(userId, avatar.hash, size));
  return {
    small: url(AVATAR_SIZES.small),
    medium: url(AVATAR_SIZES.medium),
    large: url(AVATAR_SIZES.large),
  };
}

export function toCard(
  storage: ObjectStorage,
  row: Pick<ProfileRow, 'user_id' | 'handle' | 'display_name' | 'avatar'>,
) {
  return {
    id: row.user_id,
    handle: row.handle,
    displayName: row.display_name,
    avatarUrl: avatarUrls(storage, row.user_id, row.avatar)?.medium ?? null,
  };
}

export function toShared(storage: ObjectStorage, row: ProfileRow) {
  return {
    ...toCard(storage, row),
    birthday: row.birthday,
    pronouns: row.pronouns,
    timeZone: row.time_zone,
    loveLanguages: row.love_languages,
    bio: row.bio,
    avatarUrls: avatarUrls(storage, row.user_id, row.avatar),
  };
}

export function toFull(storage: ObjectStorage, row: ProfileRow) {
  return {
    ...toShared(storage, row),
    locale: row.locale,
    discoverable: row.discoverable,
    status: row.status,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function toAdmin(storage: ObjectStorage, row: ProfileRow) {
  return {
    ...toFull(storage, row),
    suspendedAt: row.suspended_at?.toISOString() ?? null,
    suspensionReason: row.suspension_reason,
  };
}
