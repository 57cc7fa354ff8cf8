import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../../platform/http/errors.ts';
import { checkZone } from './times.ts';

describe('checkZone', () => {
  it('answers a valid zone the same way when it is asked again (remembered)', () => {
    assert.equal(checkZone('Europe/Berlin'), 'Europe/Berlin');
    assert.equal(checkZone('Europe/Berlin'), 'Europe/Berlin');
  });

  it('refuses an invalid zone every time, naming the field (invalid names are never remembered)', () => {
    for (let i = 0; i < 2; i++) {
      assert.throws(
        () => checkZone('Mars/Olympus_Mons', 'zone'),
        (error) => error instanceof AppError && error.status === 400 && error.items[0]?.field === 'zone',
      );
    }
  });
});
