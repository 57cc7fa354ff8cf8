import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { paths } from '@one2one/client';
import { openApiDocument } from '../../scripts/openapi-document.ts';

type Method = 'get' | 'put' | 'post' | 'patch' | 'delete';
type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 409 | 410 | 413 | 415 | 422 | 429 | 500 | 502 | 503 | 504;
type ErrorStatusesOf<Operation> = Operation extends { responses: infer R }
  ? Extract<keyof R, ErrorStatus>
  : never;

/**
 * Every operation whose generated type documents no error status, as
 * "get /path"; openapi-fetch would type such a call's `error` as never.
 */
type WithoutErrors = {
  [P in keyof paths]: {
    [M in Method & keyof paths[P]]: [NonNullable<paths[P][M]>] extends [never]
      ? never
      : [ErrorStatusesOf<NonNullable<paths[P][M]>>] extends [never]
        ? `${M} ${P & string}`
        : never;
  }[Method & keyof paths[P]];
}[keyof paths];

// Fails `npm run typecheck` naming the operation when one documents no error.
const everyCallHasTypedErrors: [WithoutErrors] extends [never] ? true : WithoutErrors = true;

it('every operation documents its error answers as the error envelope, so no client call has an error typed never', async () => {
  assert.equal(everyCallHasTypedErrors, true);
  const document = (await openApiDocument()) as unknown as {
    paths: Record<
      string,
      Record<
        string,
        { operationId?: string; responses?: Record<string, { $ref?: string; content?: object }> }
      >
    >;
  };
  const missing: string[] = [];
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const errors = Object.entries(operation.responses ?? {}).filter(([status]) =>
        /^[45]\d\d$/.test(status),
      );
      if (errors.length === 0) missing.push(`${method.toUpperCase()} ${path}`);
    }
  }
  assert.deepEqual(missing, []);
});
