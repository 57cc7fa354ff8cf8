import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../src/app.ts';
import { parseConfig } from '../src/config.ts';
import { createPlatform } from '../src/platform/platform.ts';
import { generateKeySpec } from '../src/platform/security/field-encryption.ts';

/**
 * `node --import tsx scripts/openapi.ts [file]`: writes the OpenAPI document of
 * the app with every module mounted (default data/openapi.json), for
 * `npm run lint:openapi` and client generation. Building the app opens no
 * database connection, so this needs no server.
 */
const out = process.argv[2] ?? path.join('data', 'openapi.json');
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'o2o-openapi-'));
try {
  const config = parseConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    ENCRYPTION_KEYS: generateKeySpec('doc1'),
    LOG_LEVEL: 'silent',
  });
  // Never connected to: the pool only dials on the first query.
  const platform = await createPlatform(config, 'postgres://openapi@127.0.0.1:1/none');
  const app = await buildApp(platform);
  await app.ready();
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(app.swagger(), null, 2)}\n`);
  await app.close();
  await platform.close();
  process.stdout.write(`wrote ${out}\n`);
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
