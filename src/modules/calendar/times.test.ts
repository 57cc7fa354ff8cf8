import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../../platform/http/errors.ts';
import { checkZone } from './times.ts';

// The check itself, its spelling and its memory: src/platform/time-zones.test.ts.
describe('checkZone', () => {
  it('answers a valid zone in its canonical spelling', () => {
    assert.equal(checkZone('Europe/Berlin'), 'Europe/Berlin');
    assert.equal(checkZone('europe/berlin'), 'Europe/Berlin');
  });

  it('refuses an invalid zone or an offset with a 400 naming the field', () => {
    for (const zone of ['Mars/Olympus_Mons', '+01:00']) {
      assert.throws(
        () => checkZone(zone, 'zone'),
        (error) =>
          error instanceof AppError &&
          error.status === 400 &&
          error.items[0]?.field === 'zone' &&
          error.items[0]?.message === 'zone must be an IANA time zone (e.g. Europe/Berlin)',
      );
    }
  });
});
