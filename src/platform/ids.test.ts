import assert from 'node:assert/strict';
import { it } from 'node:test';
import { v7 } from 'uuid';
import { idFloor, newId } from './ids.ts';

it('makes time-ordered UUIDv7 ids', async () => {
  const first = newId();
  await new Promise((resolve) => setTimeout(resolve, 2));
  const second = newId();
  assert.match(first, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.ok(first < second);
});

it('floors a time to the smallest UUIDv7 of its millisecond', () => {
  const at = Date.UTC(2026, 10, 1);
  assert.equal(idFloor(at), '01a19467-e800-7000-8000-000000000000');
  assert.equal(idFloor(new Date(at)), idFloor(at));
  const made = v7({ msecs: at });
  assert.ok(idFloor(at) <= made && made < idFloor(at + 1));
  assert.ok(v7({ msecs: at - 1 }) < idFloor(at));
  assert.throws(() => idFloor(-1), RangeError);
});
