import { configSection } from '../../platform/config.ts';

declare module '../../platform/config.ts' {
  interface ModuleConfigs {
    content: {
      /** Largest media upload (images, audio), bytes. */
      mediaMaxBytes: number;
      /** Largest image accepted, in pixels (width × height); checked before decoding. */
      imageMaxPixels: number;
      /** The ffmpeg binary that packages videos to HLS (Debian's `ffmpeg` package); videos are refused without it. */
      ffmpegPath: string;
    };
  }
}

/** `CONTENT_MEDIA_MAX_BYTES`, `CONTENT_IMAGE_MAX_PIXELS`, `CONTENT_FFMPEG_PATH`. */
export const contentConfig = configSection('content', (r) => ({
  mediaMaxBytes: r.int('CONTENT_MEDIA_MAX_BYTES', 50 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
  imageMaxPixels: r.int('CONTENT_IMAGE_MAX_PIXELS', 40_000_000, 1_000, 500_000_000),
  ffmpegPath: r.string('CONTENT_FFMPEG_PATH', 'ffmpeg'),
}));
