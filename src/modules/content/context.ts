import type { Platform } from '../../platform/platform.ts';
import type { ContentDb } from './tables.ts';

/** Whether a user's couple has premium (payments' entitlements, wired in src/modules/index.ts). */
export type IsPremium = (platform: Platform, userId: string) => Promise<boolean>;

export interface ContentOptions {
  /** Premium entitlement; without payments nobody has premium (editors and admins read everything). */
  isPremium?: IsPremium;
}

/** What the content use cases receive, built once per process in index.ts. */
export interface ContentContext {
  platform: Platform;
  db: ContentDb;
  isPremium: IsPremium;
}

export function contentContext(platform: Platform, options: ContentOptions = {}): ContentContext {
  return {
    platform,
    db: platform.database.db as unknown as ContentDb,
    isPremium: options.isPremium ?? (async () => false),
  };
}
