import assert from 'node:assert/strict';
import { it } from 'node:test';
import { pgTimestamptz } from './database.ts';
import { timestamptzParser } from './timestamptz.ts';

// The fast timestamptz parser must make exactly the Date pg-types' parser makes, and leave every
// form it does not know to it.
const same = (a: unknown, b: unknown) =>
  a instanceof Date && b instanceof Date ? Object.is(a.getTime(), b.getTime()) : Object.is(a, b);
const fastOnly = timestamptzParser(() => 'fallback');
const parse = timestamptzParser(pgTimestamptz);

it('parses the UTC form as pg-types does, for every fraction', () => {
  for (let micros = 0; micros < 1_000_000; micros += 1) {
    const fraction = String(micros).padStart(6, '0').replace(/0+$/, '');
    const text = `2026-12-03 14:50:33${fraction ? `.${fraction}` : ''}+00`;
    const fast = fastOnly(text);
    assert.ok(fast instanceof Date, text);
    if (!same(fast, pgTimestamptz(text)))
      assert.fail(`${text}: ${String(fast)} vs ${String(pgTimestamptz(text))}`);
  }
});

it('parses dates across the calendar as pg-types does', () => {
  for (let i = 0; i < 20_000; i++) {
    const at = new Date(
      Date.UTC(1000, 0, 1) + Math.floor(Math.random() * (Date.UTC(9999, 11, 31) - Date.UTC(1000, 0, 1))),
    );
    const text = `${at.toISOString().replace('T', ' ').replace('Z', '')}${i % 3 === 0 ? '123' : ''}+00`;
    assert.ok(fastOnly(text) instanceof Date, text);
    assert.ok(same(fastOnly(text), pgTimestamptz(text)), text);
  }
});

it('leaves every other form to pg-types', () => {
  for (const text of [
    'infinity',
    '-infinity',
    '2026-12-03 14:50:33+05:30',
    '2026-12-03 14:50:33.5-08',
    '2026-12-03 14:50:33Z',
    '0099-12-03 14:50:33+00',
    '0001-01-01 00:00:00+00 BC',
    '12026-12-03 14:50:33+00',
    '2026-12-03 14:50:33.+00',
    '2026-12-03 14:5a:33+00',
    '2026-12-03T14:50:33+00',
    '2026-12-03 14:50:33.12x+00',
    '',
  ]) {
    assert.equal(fastOnly(text), 'fallback', text);
    assert.ok(same(parse(text), pgTimestamptz(text)), text);
  }
});
