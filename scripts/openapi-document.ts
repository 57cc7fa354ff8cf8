import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';
import { parseConfig } from '../src/config.ts';
import { createPlatform } from '../src/platform/platform.ts';
import { generateKeySpec } from '../src/platform/security/field-encryption.ts';

export type OpenApiDocument = ReturnType<FastifyInstance['swagger']>;

/**
 * The OpenAPI document of the app with every module mounted, exactly as
 * `/v1/openapi.json` serves it. Building the app opens no database
 * connection, so this needs no server.
 */
export async function openApiDocument(): Promise<OpenApiDocument> {
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
    const document = app.swagger();
    await app.close();
    await platform.close();
    return document;
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
