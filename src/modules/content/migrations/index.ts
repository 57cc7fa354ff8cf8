import type { Migrations } from '../../../platform/db/migrator.ts';
import * as mContent from './20261202T2000_content.ts';
import * as mContentStarter from './20261202T2001_content_starter_library.ts';
import * as mContentVideo from './20261202T2002_content_video.ts';

/** The migrations of the content module, in this folder only. */
export const migrations: Migrations = {
  '20261202T2000_content': mContent,
  '20261202T2001_content_starter_library': mContentStarter,
  '20261202T2002_content_video': mContentVideo,
};
