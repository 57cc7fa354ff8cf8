import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { openApiDocument } from './openapi-document.ts';

/**
 * `node --import tsx scripts/openapi.ts [file]`: writes the OpenAPI document of
 * the app with every module mounted (default data/openapi.json), for
 * `npm run lint:openapi`.
 */
const out = process.argv[2] ?? path.join('data', 'openapi.json');
const document = await openApiDocument();
await mkdir(path.dirname(out), { recursive: true });
await writeFile(out, `${JSON.stringify(document, null, 2)}\n`);
process.stdout.write(`wrote ${out}\n`);
