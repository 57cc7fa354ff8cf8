import { forgetProfile } from './cache.ts';
import type { UsersContext } from './context.ts';
import { makeVariants } from './images.ts';
import { AVATAR_SIZES, avatarKey, avatarPrefix, toFull } from './presenters.ts';
import * as repo from './repo.ts';
import { activeProfile } from './service.ts';

/**
 * Stores the new avatar's variants under content-hashed names, points the
 * profile at them, then removes the previous ones. Nothing is written until
 * the image has passed every check.
 */
export async function setAvatar(ctx: UsersContext, userId: string, image: Buffer) {
  const before = await activeProfile(ctx, userId);
  const sizes = Object.values(AVATAR_SIZES);
  const { hash, variants } = await makeVariants(image, sizes);
  const written: string[] = [];
  try {
    for (const variant of variants) {
      const key = avatarKey(userId, hash, variant.size);
      await ctx.storage.put(key, variant.body, 'image/webp');
      written.push(key);
    }
  } catch (error) {
    // A failed write (a full disk) leaves no variants of an avatar that was never set;
    // the same image already in use keeps its files.
    if (before.avatar?.hash !== hash)
      for (const key of written) await ctx.storage.delete(key).catch(() => {});
    throw error;
  }
  const row = await repo.updateProfile(ctx.db, { userId }, { avatar: JSON.stringify({ hash, sizes }) });
  await forgetProfile(ctx.platform, userId);
  if (before.avatar && before.avatar.hash !== hash) await removeVariants(ctx, userId, before.avatar.hash);
  return toFull(ctx.storage, row);
}

export async function removeAvatar(ctx: UsersContext, userId: string) {
  const before = await activeProfile(ctx, userId);
  const row = await repo.updateProfile(ctx.db, { userId }, { avatar: null });
  await forgetProfile(ctx.platform, userId);
  if (before.avatar) await removeVariants(ctx, userId, before.avatar.hash);
  return toFull(ctx.storage, row);
}

async function removeVariants(ctx: UsersContext, userId: string, hash: string) {
  const keys = await ctx.storage.list(avatarPrefix(userId));
  for (const key of keys) if (key.includes(`/${hash}-`)) await ctx.storage.delete(key);
}
