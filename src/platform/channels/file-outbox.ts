import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { newId } from '../ids.ts';

/**
 * The offline stand-in for a provider: one JSON line per message in
 * `<dir>/<YYYY-MM-DD>.jsonl`, so development and tests can see exactly what
 * would have been sent. Appends are single writes with O_APPEND, so
 * processes sharing the directory do not interleave lines.
 */
export async function appendToOutbox(dir: string, record: Record<string, unknown>): Promise<string> {
  const id = newId();
  const at = new Date().toISOString();
  await mkdir(dir, { recursive: true });
  await appendFile(path.join(dir, `${at.slice(0, 10)}.jsonl`), `${JSON.stringify({ id, at, ...record })}\n`);
  return id;
}
