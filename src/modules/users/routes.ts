import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { callerOf, requireAuth } from '../../platform/http/auth.ts';
import { Enveloped, EnvelopedPage, ErrorResponse } from '../../platform/http/envelope.ts';
import { readUpload } from '../../platform/http/upload.ts';
import { removeAvatar, setAvatar } from './avatar.ts';
import { profileTag } from './cache.ts';
import type { UsersContext } from './context.ts';
import { AVATAR_MAX_BYTES } from './images.ts';
import { getPreferences, updatePreferences } from './preferences.ts';
import {
  FullProfile,
  Preferences,
  PreferencesUpdate,
  ProfileUpdate,
  ProfileView,
  PublicCard,
  SearchQuery,
  UserIdParams,
} from './schemas.ts';
import * as service from './service.ts';

const tags = ['users'];
const security = [{ bearerAuth: [] }];
const errors = { '4xx': ErrorResponse };

/** Profiles, preferences, avatar and search. */
export const profileRoutes: FastifyPluginAsyncTypebox<{ ctx: UsersContext }> = async (app, { ctx }) => {
  await app.register(multipart, {
    // One file and nothing else; the size limit is enforced while streaming.
    limits: { fileSize: AVATAR_MAX_BYTES, files: 1, fields: 0, parts: 1, headerPairs: 100 },
  });
  app.addHook('onRequest', requireAuth);

  app.get(
    '/users/me',
    {
      schema: {
        tags,
        security,
        summary: 'Your profile',
        response: { 200: Enveloped(FullProfile), ...errors },
      },
      config: {
        cache: { ttlSeconds: 30, scope: 'private', tags: (request) => [profileTag(callerOf(request).id)] },
      },
    },
    async (request) => service.getMe(ctx, callerOf(request).id),
  );

  app.patch(
    '/users/me',
    {
      schema: {
        tags,
        security,
        summary: 'Change your profile',
        body: ProfileUpdate,
        response: { 200: Enveloped(FullProfile), ...errors },
      },
    },
    async (request) => service.updateMe(ctx, callerOf(request).id, request.body),
  );

  app.get(
    '/users/me/preferences',
    {
      schema: {
        tags,
        security,
        summary: 'Your preferences',
        response: { 200: Enveloped(Preferences), ...errors },
      },
    },
    async (request) => getPreferences(ctx, callerOf(request).id),
  );

  app.patch(
    '/users/me/preferences',
    {
      schema: {
        tags,
        security,
        summary: 'Change some of your preferences',
        body: PreferencesUpdate,
        response: { 200: Enveloped(Preferences), ...errors },
      },
    },
    async (request) => updatePreferences(ctx, callerOf(request).id, request.body),
  );

  app.put(
    '/users/me/avatar',
    {
      schema: {
        tags,
        security,
        summary: 'Upload your avatar (multipart field `file`: JPEG, PNG, WebP or HEIC, at most 10 MB)',
        consumes: ['multipart/form-data'],
        response: { 200: Enveloped(FullProfile), ...errors },
      },
    },
    async (request) =>
      setAvatar(ctx, callerOf(request).id, await readUpload(request, AVATAR_MAX_BYTES, 'image')),
  );

  app.delete(
    '/users/me/avatar',
    {
      schema: {
        tags,
        security,
        summary: 'Remove your avatar',
        response: { 200: Enveloped(FullProfile), ...errors },
      },
    },
    async (request) => removeAvatar(ctx, callerOf(request).id),
  );

  app.get(
    '/users/search',
    {
      config: { paginated: true },
      schema: {
        tags,
        security,
        summary: 'Find discoverable people by handle or name',
        querystring: SearchQuery,
        response: { 200: EnvelopedPage(PublicCard), ...errors },
      },
    },
    async (request) => service.search(ctx, callerOf(request).id, request.query),
  );

  app.get(
    '/users/:id',
    {
      schema: {
        tags,
        security,
        summary:
          "A person's profile: all of yours, your partner's shared view, or a discoverable person's card",
        params: UserIdParams,
        response: { 200: Enveloped(ProfileView), ...errors },
      },
    },
    async (request) => service.getProfile(ctx, callerOf(request).id, request.params.id),
  );

  app.put(
    '/users/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Change your profile (only your own id is allowed)',
        params: UserIdParams,
        body: ProfileUpdate,
        response: { 200: Enveloped(FullProfile), ...errors },
      },
    },
    async (request) => service.updateProfile(ctx, callerOf(request).id, request.params.id, request.body),
  );
};
