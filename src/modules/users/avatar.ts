import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { AppError, validationError } from '../../platform/http/errors.ts';
import { forgetProfile } from './cache.ts';
import type { UsersContext } from './context.ts';
import { AVATAR_MAX_BYTES, makeVariants } from './images.ts';
import { AVATAR_SIZES, avatarKey, avatarPrefix, toFull } from './presenters.ts';
import * as repo from './repo.ts';
import { activeProfile } from './service.ts';

const tooLarge = () =>
  new AppError(413, 'PAYLOAD_TOO_LARGE', `The image is larger than ${AVATAR_MAX_BYTES / 1024 / 1024} MB`, {
    field: 'file',
  });

/** Reads the one file of a multipart request into memory, bounded by the size limit. */
export async function readUpload(request: FastifyRequest): Promise<Buffer> {
  if (!request.isMultipart()) {
    throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the image as multipart/form-data, field "file"');
  }
  let file: MultipartFile | undefined;
  try {
    file = await request.file();
  } catch (error) {
    throw validationError(`The multipart body could not be read: ${(error as Error).message}`, 'file');
  }
  if (!file) throw validationError('A multipart field "file" with the image is required', 'file');
  try {
    const body = await file.toBuffer();
    if (file.file.truncated) throw tooLarge();
    return body;
  } catch (error) {
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge();
    throw error;
  }
}

/**
 * Stores the new avatar's variants under content-hashed names, points the
 * profile at them, then removes the previous ones. Nothing is written until
 * the image has passed every check.
 */
export async function setAvatar(ctx: UsersContext, userId: string, image: Buffer) {
  const before = await activeProfile(ctx, userId);
  const sizes = Object.values(AVATAR_SIZES);
  const { hash, variants } = await makeVariants(image, sizes);
  for (const variant of variants) {
    await ctx.storage.put(avatarKey(userId, hash, variant.size), variant.body, 'image/webp');
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
