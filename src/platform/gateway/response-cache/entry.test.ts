import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Type } from 'typebox';
import { Enveloped, meta } from '../../http/envelope.ts';
import { buildSerializer } from '../../http/serialization.ts';
import { cacheableEntry } from './plugin.ts';

// The envelope as a route's serializer writes it (the app's compiler, from the response schema).
const schema = Enveloped(
  Type.Array(
    Type.Object({ id: Type.String(), body: Type.String(), at: Type.String({ format: 'date-time' }) }),
  ),
);
const serialize = buildSerializer(
  {},
  undefined,
)({ schema, method: 'GET', url: '/things', httpStatus: '200' });
const parsed = (body: string) => {
  const newline = body.indexOf('\n');
  return { cursor: JSON.parse(body.slice(0, newline)), data: JSON.parse(body.slice(newline + 1)) };
};

describe('what a miss stores', () => {
  const data = [
    // The splice's marker inside the data, quotes, a line break and non-ASCII text.
    { id: 'n1', body: 'a ,"errors":null,"meta":{} "quoted"\nline ❤️', at: '2026-12-03T10:00:00.000Z' },
    { id: 'n2', body: '}', at: '2026-12-03T09:00:00.000Z' },
  ];

  it('keeps the data and the cursor of a serialized envelope', () => {
    for (const nextCursor of ['eyJ0IjoiMjAyNiJ9', null]) {
      const payload = serialize({ success: true, data, errors: null, meta: meta('req-1', { nextCursor }) });
      const entry = cacheableEntry(payload);
      assert.ok(entry);
      assert.deepEqual(parsed(entry.body), { cursor: nextCursor, data });
      assert.match(entry.etag, /^"[\w-]{27}"$/);
    }
  });

  it('stores the same data for an envelope in another shape (parsed), with the same validator', () => {
    const payload = serialize({ success: true, data, errors: null, meta: meta('req-2') });
    const reordered = JSON.stringify({ meta: meta('req-3'), data, errors: null, success: true });
    const fast = cacheableEntry(payload);
    const slow = cacheableEntry(reordered);
    assert.deepEqual(parsed(slow!.body), parsed(fast!.body));
    assert.equal(slow!.etag, fast!.etag);
  });

  it('stores nothing for an error, a body that is not JSON or not a string', () => {
    assert.equal(cacheableEntry(JSON.stringify({ success: false, data: null, errors: [], meta: {} })), null);
    assert.equal(cacheableEntry('{"success":true,"data":[1],"errors":null,"meta":{broken}'), null);
    assert.equal(cacheableEntry(Buffer.from('{}')), null);
  });
});
