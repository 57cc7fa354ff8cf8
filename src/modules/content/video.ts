import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { AppError } from '../../platform/http/errors.ts';
import { newId } from '../../platform/ids.ts';
import { schedule } from '../../platform/jobs/schedule.ts';
import type { ContentContext } from './context.ts';
import { findMedia, findMediaByHash } from './repo.ts';
import { contentHash } from './starter/assets.ts';
import type { MediaRow } from './tables.ts';

/**
 * Video, the design's adaptive bitrate streaming: an upload is stored as is
 * (privately) and a `content.package-video` job has ffmpeg (Debian's package)
 * make two H.264 renditions (240p, 480p) in 4-second HLS segments plus a master
 * playlist, stored publicly under the source's content hash, so they are
 * served with immutable caching. Without an ffmpeg binary the upload is
 * refused at once, with a message saying so, rather than failing later.
 */
const run = promisify(execFile);

export const VIDEO_TYPES: Record<string, string> = {
  'video/mp4': 'mp4',
  'video/quicktime': 'mov',
  'video/webm': 'webm',
  'video/x-matroska': 'mkv',
};

export const RENDITIONS = [
  { height: 240, bitrate: '400k' },
  { height: 480, bitrate: '1200k' },
] as const;

const available = new Map<string, Promise<boolean>>();

/** Whether the configured ffmpeg runs (asked once per binary per process). */
export function ffmpegAvailable(binary: string): Promise<boolean> {
  let answer = available.get(binary);
  if (!answer) {
    answer = run(binary, ['-version'], { timeout: 10_000 }).then(
      () => true,
      () => false,
    );
    available.set(binary, answer);
  }
  return answer;
}

export const hlsPrefix = (hash: string) => `public/content/hls/${hash}/`;
const sourceKey = (hash: string, ext: string) => `content/videos/${hash}/source.${ext}`;

/** Stores an uploaded video and schedules its packaging, in one transaction with its row. */
export async function acceptVideo(
  ctx: ContentContext,
  userId: string,
  input: Buffer,
  mime: string,
): Promise<MediaRow> {
  if (!(await ffmpegAvailable(ctx.platform.config.content.ffmpegPath))) {
    throw new AppError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'Video uploads need ffmpeg on the server (Debian package "ffmpeg"), which is not installed',
      { field: 'file' },
    );
  }
  const hash = contentHash(input);
  const existing = await findMediaByHash(ctx.db, hash);
  if (existing) return existing;
  const ext = VIDEO_TYPES[mime]!;
  const key = sourceKey(hash, ext);
  await ctx.platform.storage.put(key, input, mime);
  return ctx.db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('content_media')
      .values({
        id: newId(),
        kind: 'video',
        content_type: mime,
        ext,
        bytes: input.length,
        hash,
        key,
        width: null,
        height: null,
        shipped_file: null,
        uploaded_by: userId,
        status: 'processing',
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await schedule(trx, { name: 'content.package-video', payload: { mediaId: row.id }, maxAttempts: 3 });
    return row;
  });
}

/** The job: packages a processing video; a failure is recorded on the row (and not retried forever). */
export async function packageVideo(ctx: ContentContext, mediaId: string): Promise<void> {
  const row = await findMedia(ctx.db, mediaId);
  if (row?.kind !== 'video' || row.status !== 'processing') return;
  const work = await mkdtemp(path.join(os.tmpdir(), 'o2o-hls-'));
  try {
    const source = await ctx.platform.storage.get(row.key);
    if (!source) throw new Error('the uploaded source is missing from storage');
    const input = path.join(work, `source.${row.ext}`);
    await writeFile(input, source.body);
    const binary = ctx.platform.config.content.ffmpegPath;
    const probe = await run(binary, ['-hide_banner', '-i', input], { timeout: 60_000 }).catch(
      (error: { stderr?: string }) => ({ stderr: error.stderr ?? '' }),
    );
    const hasAudio = /Stream #\d+:\d+.*: Audio:/.test(probe.stderr);
    const split = RENDITIONS.map((_, i) => `[v${i}]`).join('');
    const filters = [
      `[0:v]split=${RENDITIONS.length}${split}`,
      ...RENDITIONS.map((r, i) => `[v${i}]scale=-2:${r.height}[v${i}o]`),
    ].join(';');
    const args = ['-hide_banner', '-loglevel', 'error', '-y', '-i', input, '-filter_complex', filters];
    RENDITIONS.forEach((r, i) => {
      args.push('-map', `[v${i}o]`, `-c:v:${i}`, 'libx264', `-b:v:${i}`, r.bitrate, '-preset', 'veryfast');
      if (hasAudio) args.push('-map', 'a:0', `-c:a:${i}`, 'aac', `-b:a:${i}`, '96k');
    });
    args.push(
      '-f',
      'hls',
      '-hls_time',
      '4',
      '-hls_playlist_type',
      'vod',
      '-hls_segment_filename',
      path.join(work, 'v%v', 'seg%03d.ts'),
      '-master_pl_name',
      'master.m3u8',
      '-var_stream_map',
      RENDITIONS.map((_, i) => (hasAudio ? `v:${i},a:${i}` : `v:${i}`)).join(' '),
      path.join(work, 'v%v', 'index.m3u8'),
    );
    await run(binary, args, { timeout: 30 * 60_000, maxBuffer: 16 * 1024 * 1024 });
    const prefix = hlsPrefix(row.hash);
    await ctx.platform.storage.put(
      `${prefix}master.m3u8`,
      await readFile(path.join(work, 'master.m3u8')),
      'application/vnd.apple.mpegurl',
    );
    for (let i = 0; i < RENDITIONS.length; i++) {
      for (const file of await readdir(path.join(work, `v${i}`))) {
        const type = file.endsWith('.m3u8') ? 'application/vnd.apple.mpegurl' : 'video/mp2t';
        await ctx.platform.storage.put(
          `${prefix}v${i}/${file}`,
          await readFile(path.join(work, `v${i}`, file)),
          type,
        );
      }
    }
    await ctx.db
      .updateTable('content_media')
      .set({ status: 'ready', error: null })
      .where('id', '=', mediaId)
      .execute();
  } catch (error) {
    const message = String((error as { stderr?: string }).stderr || (error as Error).message).slice(-500);
    await ctx.db
      .updateTable('content_media')
      .set({ status: 'failed', error: message })
      .where('id', '=', mediaId)
      .execute();
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
