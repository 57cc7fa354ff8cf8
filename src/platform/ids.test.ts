import assert from 'node:assert/strict';
import { it } from 'node:test';
import { newId } from './ids.ts';

it('makes time-ordered UUIDv7 ids', async () => {
  const first = newId();
  await new Promise((resolve) => setTimeout(resolve, 2));
  const second = newId();
  assert.match(first, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.ok(first < second);
});
