import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Outside production a missing secret is generated once and kept under
 * data/secrets/, so restarts keep decrypting what earlier runs wrote.
 * Production refuses to start without configured secrets (see config.ts).
 */
export async function persistedSecret(
  dataDir: string,
  name: string,
  generate: () => string,
): Promise<string> {
  const dir = path.join(dataDir, 'secrets');
  const file = path.join(dir, name);
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // Write a side file, then link it into place: link fails if the name exists, so two
  // processes starting at once never see a half-written key and the loser adopts the winner's.
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(temp, `${generate()}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await rm(temp, { force: true });
  }
  return (await readFile(file, 'utf8')).trim();
}
