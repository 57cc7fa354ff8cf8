declare module '../../platform/jobs/job-map.ts' {
  interface JobMap {
    /** Publishes one scheduled item at its publishedAt (keyed `content.publish:<id>`). */
    'content.publish': { itemId: string };
    /** Every minute: publishes scheduled items whose job is missing or held by a dead worker. */
    'content.publish-due': Record<string, never>;
    /** Packages one uploaded video into HLS renditions and a master playlist with ffmpeg. */
    'content.package-video': { mediaId: string };
  }
}

export const CONTENT_JOBS = ['content.publish', 'content.publish-due', 'content.package-video'] as const;

export const publishJobKey = (itemId: string) => `content.publish:${itemId}`;
