import { randomUUID } from 'node:crypto';
import fc from 'fast-check';

/**
 * Hostile values for the whole-API input test (test/platform/hostile-input.test.ts):
 * fixed lists of inputs known to break servers, and fast-check arbitraries that
 * build bodies and queries from a route's OpenAPI schema, valid in shape but
 * filled with those values, so they get past validation and into the services.
 */
export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  maxItems?: number;
  minItems?: number;
}

/** A JSON token that JSON.stringify cannot write (1e309, -0, 2**63): spliced in by rawJson. */
const RAW = '\u0001raw:';
export const raw = (token: string) => `${RAW}${token}`;

export function rawJson(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0001raw:([^"]*)"/g, '$1');
}

/** Deep enough to hurt a recursive walker, small enough to stay under the body limit. */
export function deeplyNested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

export const HUGE_STRING = 'x'.repeat(1_100_000);

/** Strings that pass a plain `type: string` and are still trouble further in. */
export const HOSTILE_STRINGS: string[] = [
  '',
  ' ',
  'a\u0000b',
  '\u0000',
  '\ud800',
  'a\udfffb',
  '\uffff\ufffe',
  '🙂'.repeat(20),
  'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǫ̗̻',
  '\u202eevil',
  "'; drop table auth_accounts; --",
  '{{daysTogether}}{{constructor}}{{__proto__}}',
  '__proto__',
  'constructor',
  '../../../etc/passwd',
  '%00',
  '%E0%A4%A',
  'null',
  'undefined',
  'NaN',
  '-0',
  '1e309',
  '9223372036854775808',
  '2026-02-30T25:00:00Z',
  '0000-00-00',
  '+275760-09-13T00:00:00.001Z',
  '-271821-04-19T00:00:00Z',
  '2026-13-01',
  'Mars/Phobos',
  'Etc/GMT+99',
  '../UTC',
  'FREQ=SECONDLY',
  'FREQ=SECONDLY;INTERVAL=1;COUNT=100000000',
  'FREQ=MINUTELY;BYSECOND=0,1,2,3,4,5,6,7,8,9',
  'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30',
  'FREQ=DAILY;UNTIL=99991231T000000Z',
  'FREQ=DAILY;COUNT=999999999',
  'FREQ=WEEKLY;BYDAY=XX;INTERVAL=-1',
  'FREQ=WEEKLY;INTERVAL=-1',
  'FREQ=DAILY;INTERVAL=abc',
  'FREQ=DAILY;BYMONTH=13',
  'FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30',
  'FREQ=MONTHLY;BYDAY=+5MO;BYMONTHDAY=1',
  'RRULE:FREQ=DAILY\nRRULE:FREQ=HOURLY',
  'DTSTART:00000000T000000Z\nRRULE:FREQ=DAILY',
  'not an rrule at all',
  'ü@ü',
  'a@b',
  `${'a'.repeat(64)}@${'b'.repeat(250)}.test`,
  'x'.repeat(5001),
];

/** JSON values of every other type, for a field whatever its declared type. */
export const WRONG_TYPES: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  raw('1e309'),
  raw('-0'),
  raw('9223372036854775808'),
  raw('-1e309'),
  [],
  ['a', 1, null],
  {},
  { $gt: '' },
  deeplyNested(64),
];

export const PATH_SEGMENTS: string[] = [
  'not-a-uuid',
  '0',
  '-1',
  'null',
  '00000000-0000-0000-0000-000000000000',
  randomUUID().toUpperCase(),
  `${randomUUID()}%00`,
  '%00',
  '..%2f..%2fetc%2fpasswd',
  '..',
  '%2e%2e',
  encodeURIComponent('ünïcödé💥'),
  '%ED%A0%80',
  '%E0%A4%A',
  '%FF%FE',
  'a'.repeat(2000),
  "'%20or%201=1--",
  '%7B%7Bx%7D%7D',
];

const b64 = (text: string) => Buffer.from(text).toString('base64url');

export const QUERY_VALUES: string[] = [
  'abc',
  '-1',
  '0',
  '1.5',
  '1e309',
  '99999999999999999999',
  '',
  '%00',
  'a%00b',
  '%E0',
  '%ED%A0%80',
  encodeURIComponent('2026-02-30T25:00:00Z'),
  'true',
  'x'.repeat(5000),
  '%5B%5D',
];

export const CURSORS: string[] = [
  'not-base64!!',
  b64('not json'),
  b64('{"id":"x"}'),
  b64('[1,2,3]'),
  b64('"just a string"'),
  b64('null'),
  b64('{"__proto__":{"polluted":1},"id":"0"}'),
  b64(JSON.stringify({ id: 'a\u0000b', createdAt: '2026-02-30T25:00:00Z', at: 'x', n: 1e308 })),
  b64(JSON.stringify({ id: randomUUID(), createdAt: 'never', sentAt: 'never', rank: 'x' })),
  b64(JSON.stringify({ id: 1, createdAt: 1, sentAt: {}, deliveredAt: [], score: 'y' })),
  Buffer.from(Array.from({ length: 48 }, (_, i) => (i * 37 + 11) % 256)).toString('base64url'),
];

export const IDEMPOTENCY_KEYS: string[] = ['', ' ', 'x'.repeat(5000), '%00', 'ü-key', '../../key', '{"a":1}'];

/** A value that the schema accepts, for the fields around the one under attack. */
export function example(schema: JsonSchema, name = ''): unknown {
  const known = KNOWN_GOOD[name];
  if (known !== undefined) return known();
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  const choice = schema.anyOf ?? schema.oneOf;
  if (choice) return example(choice.find((s) => s.type !== 'null') ?? choice[0]!, name);
  switch (Array.isArray(schema.type) ? schema.type[0] : schema.type) {
    case 'object': {
      // Every field, optional ones too, so an attack on one field is not stopped by a missing other.
      const out: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(schema.properties ?? {})) out[key] = example(field, key);
      return out;
    }
    case 'array':
      // As few items as the schema allows, so a required list does not hide the field under attack.
      return Array.from({ length: schema.minItems ?? 0 }, () => example(schema.items ?? {}, name));
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    case 'string':
      if (schema.format === 'uuid') return randomUUID();
      if (schema.format === 'email') return KNOWN_GOOD.email?.();
      if (schema.format === 'date') return '2026-03-01';
      if (schema.format === 'date-time') return '2026-03-01T10:00:00Z';
      if (schema.pattern) {
        // The first sample within the length bounds too (a pattern alone can match long strings).
        const fits = (v: string) =>
          v.length >= (schema.minLength ?? 0) && v.length <= (schema.maxLength ?? Infinity);
        const samples = fc.sample(fc.stringMatching(new RegExp(schema.pattern)), { seed: 1, numRuns: 200 });
        return samples.find(fits) ?? samples[0];
      }
      return 'a'.repeat(Math.max(1, schema.minLength ?? 1));
    default:
      return 'a';
  }
}

const KNOWN_GOOD: Record<string, () => unknown> = {
  email: () => `fuzz.${randomUUID().slice(0, 8)}@example.test`,
  password: () => 'violet-harbor-lantern-42',
  newPassword: () => 'amber-meadow-compass-77',
  timeZone: () => 'Europe/Paris',
  locale: () => 'en-GB',
  recurrence: () => 'FREQ=DAILY;COUNT=3',
  scheduledAt: () => new Date(Date.now() + 30 * 86_400_000).toISOString(),
  body: () => 'hello',
  emoji: () => '🙂',
};

const hostileString = fc.constantFrom(...HOSTILE_STRINGS.filter((s) => s.length < 1000));

/** Values shaped by the schema, with leaves drawn from hostile pools and random Unicode. */
export function arbitraryFor(schema: JsonSchema, name = ''): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.oneof(fc.constantFrom(...schema.enum), hostileString);
  const choice = schema.anyOf ?? schema.oneOf;
  if (choice) return fc.oneof(...choice.map((s) => arbitraryFor(s, name)));
  const known = KNOWN_GOOD[name];
  switch (Array.isArray(schema.type) ? schema.type[0] : schema.type) {
    case 'object': {
      const props = Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([key, s]) => [key, arbitraryFor(s, key)]),
      );
      const record = fc.record(props, { requiredKeys: schema.required ?? [] });
      if (typeof schema.additionalProperties !== 'object') return record;
      const extra = fc.dictionary(
        fc.oneof(fc.string({ maxLength: 20 }), hostileString),
        arbitraryFor(schema.additionalProperties),
        { maxKeys: 4 },
      );
      return fc.tuple(record, extra).map(([a, b]) => ({ ...b, ...a }));
    }
    case 'array':
      return fc.array(arbitraryFor(schema.items ?? {}), { maxLength: Math.min(schema.maxItems ?? 4, 4) });
    case 'integer':
      return fc.oneof(
        fc.integer({ min: schema.minimum ?? -(2 ** 31), max: schema.maximum ?? 2 ** 31 }),
        fc.constantFrom(0, -1, 2 ** 31, 2 ** 53, Number.MAX_SAFE_INTEGER + 2),
      );
    case 'number':
      return fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -1, 1e300));
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'string': {
      const options: fc.Arbitrary<unknown>[] = [
        hostileString,
        fc.string({ unit: 'binary', maxLength: schema.maxLength ?? 200 }),
        fc.string({
          unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
          maxLength: 30,
        }),
      ];
      if (known) options.push(fc.constant(null).map(() => known()));
      if (schema.pattern) options.push(fc.stringMatching(new RegExp(schema.pattern), { maxLength: 60 }));
      if (schema.format === 'uuid') options.push(fc.uuid());
      if (schema.format === 'date-time' || schema.format === 'date') {
        options.push(
          fc
            .date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true })
            .map((d) => (schema.format === 'date' ? d.toISOString().slice(0, 10) : d.toISOString())),
        );
      }
      return fc.oneof(...options);
    }
    default:
      return fc.oneof(hostileString, fc.constantFrom(...WRONG_TYPES));
  }
}
