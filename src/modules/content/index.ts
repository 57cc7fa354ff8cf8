import type { AppModule } from '../../platform/module.ts';
import type { Platform } from '../../platform/platform.ts';
import { purgeContent } from './cache.ts';
import { contentConfig } from './config.ts';
import { type ContentOptions, contentContext } from './context.ts';
import { dueItems, publishIfDue } from './editorial.ts';
import { CONTENT_EVENTS } from './events.ts';
import { CONTENT_JOBS } from './jobs.ts';
import { hlsRoutes, mediaRoutes, mediaUploadRoutes } from './media-routes.ts';
import { migrations } from './migrations/index.ts';
import { contentPersonalData } from './personal-data.ts';
import { contentRoutes } from './routes.ts';
import { type LibraryHit, searchLibrary as search } from './search.ts';
import { staffRoutes } from './staff-routes.ts';
import { packageVideo } from './video.ts';

/**
 * Content: articles, blog posts and podcast episodes with revisions,
 * scheduling and premium gating; full-text search; podcast feeds; a media
 * library. Other modules import only this file.
 */
export type { ContentOptions, IsPremium } from './context.ts';
export type { LibraryHit } from './search.ts';

/**
 * The library as the AI coach reads it: published items best matching
 * `query`, with titles, tags and excerpts only (never a premium body).
 */
export function searchLibrary(platform: Platform, query: string, limit: number): Promise<LibraryHit[]> {
  return search(contentContext(platform), query, limit);
}

export function contentModule(options: ContentOptions = {}): AppModule {
  return {
    name: 'content',
    tablePrefix: 'content_',
    migrations,
    events: CONTENT_EVENTS,
    jobs: CONTENT_JOBS,
    config: contentConfig,
    personalData: contentPersonalData,
    async routes(app, { platform }) {
      const ctx = contentContext(platform, options);
      await app.register(staffRoutes, { ctx });
      await app.register(mediaUploadRoutes, { ctx });
      await app.register(mediaRoutes, { ctx });
      await app.register(hlsRoutes, { ctx });
      await app.register(contentRoutes, { ctx });
    },
    async worker(platform) {
      const ctx = contentContext(platform, options);
      // Every process's response cache forgets the library when something readers see changes.
      platform.bus.consume('content', ['content.published', 'content.updated'], async () => {
        await purgeContent(platform);
      });
      platform.jobs.define('content.publish', async ({ itemId }) => {
        await publishIfDue(ctx, itemId);
      });
      // A backstop for a publication job lost or held by a dead worker; publishIfDue acts once.
      platform.jobs.define('content.publish-due', async () => {
        for (const id of await dueItems(ctx)) await publishIfDue(ctx, id);
      });
      platform.jobs.recurring({ name: 'content.publish-due', cron: '* * * * *', payload: {} });
      platform.jobs.define('content.package-video', async ({ mediaId }) => {
        await packageVideo(ctx, mediaId);
      });
      return async () => {};
    },
  };
}
