import fc from 'fast-check';

/**
 * fast-check arbitraries from the JSON Schema subset that our TypeBox route
 * schemas emit into the OpenAPI document (type, enum, const, anyOf/oneOf,
 * properties/required/additionalProperties, items/minItems/maxItems/
 * uniqueItems, string length/pattern/format, number bounds). Written here
 * rather than taken from a library: the maintained JSON-Schema generators on
 * npm target Jest/faker rather than fast-check, and this subset is small.
 *
 * `valid` builds values the schema accepts; `invalid` builds values it
 * rejects (each one breaks exactly one rule), so a request carrying one must
 * be refused with a 4xx.
 */
export interface Schema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  minProperties?: number;
  maxProperties?: number;
  items?: Schema;
  maxItems?: number;
  minItems?: number;
  uniqueItems?: boolean;
}

/** A field-name hint: a value generator that knows what the name means (a time zone, a password). */
export type Hints = (name: string, schema: Schema, path: string) => fc.Arbitrary<unknown> | undefined;

const typeOf = (schema: Schema) => (Array.isArray(schema.type) ? schema.type[0] : schema.type);

function fitString(schema: Schema): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = Math.min(schema.maxLength ?? 40, Math.max(min, 40));
  const fits = (v: string) => v.length >= min && v.length <= (schema.maxLength ?? Infinity);
  switch (schema.format) {
    case 'uuid':
      return fc.uuid({ version: 7 });
    case 'date':
      return fc
        .date({ min: new Date('1970-01-01'), max: new Date('2099-12-31'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10));
    case 'date-time':
      return fc
        .date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true })
        .map((d) => d.toISOString());
    case 'email':
      return fc.stringMatching(/^[a-z]{3,10}\.[a-z0-9]{4,8}$/).map((local) => `${local}@example.test`);
    case 'uri':
      return fc.stringMatching(/^[a-z]{3,10}$/).map((p) => `https://example.test/${p}.jpg`);
    case 'emoji':
      return fc.constantFrom('🙂', '❤️', '😂', '👍', '🔥');
  }
  if (schema.pattern) {
    // A pattern anchored to one character class repeats within the length bounds.
    return fc.stringMatching(new RegExp(schema.pattern), { maxLength: max }).filter(fits);
  }
  return fc
    .string({ minLength: Math.max(min, 1), maxLength: Math.max(max, 1) })
    .filter((s) => s.trim() !== '');
}

export function valid(
  schema: Schema,
  hints: Hints = () => undefined,
  name = '',
  path = '',
): fc.Arbitrary<unknown> {
  const hinted = hints(name, schema, path);
  if (hinted) return hinted;
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const choice = schema.anyOf ?? schema.oneOf;
  if (choice) {
    // Prefer a non-null branch: a null is valid but rarely the interesting case.
    const branches = choice.map((s) => ({
      weight: typeOf(s) === 'null' ? 1 : 4,
      arbitrary: valid(s, hints, name, path),
    }));
    return fc.oneof(...branches);
  }
  switch (typeOf(schema)) {
    case 'object': {
      const properties = schema.properties ?? {};
      const record = fc.record(
        Object.fromEntries(
          Object.entries(properties).map(([key, s]) => [key, valid(s, hints, key, `${path}/${key}`)]),
        ),
        { requiredKeys: schema.required ?? [] },
      );
      const min = schema.minProperties ?? 0;
      const max = schema.maxProperties ?? Infinity;
      const keys = Object.keys(properties);
      if (keys.length === 0 && typeof schema.additionalProperties === 'object') {
        return fc.dictionary(
          fc.stringMatching(/^[a-z]{1,8}$/),
          valid(schema.additionalProperties, hints, '', `${path}/*`),
          { minKeys: min, maxKeys: Math.min(max, 3) },
        );
      }
      if (keys.length === 0) return fc.constant({});
      return record.map((value) => {
        const out = value as Record<string, unknown>;
        // Fill up to minProperties with generated keys of the schema, drop past maxProperties.
        let present = Object.keys(out);
        if (present.length < min) {
          for (const key of keys) {
            if (present.length >= min) break;
            if (!(key in out)) {
              out[key] = fc.sample(valid(properties[key]!, hints, key, `${path}/${key}`), 1)[0];
              present = Object.keys(out);
            }
          }
        }
        for (const key of present.slice(max)) delete out[key];
        return out;
      });
    }
    case 'array': {
      const items = valid(schema.items ?? {}, hints, name, `${path}/[]`);
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.min(schema.maxItems ?? 4, Math.max(minLength, 4));
      return schema.uniqueItems
        ? fc.uniqueArray(items, { minLength, maxLength, selector: (v) => JSON.stringify(v) })
        : fc.array(items, { minLength, maxLength });
    }
    case 'integer':
      return fc.integer({
        min: schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 0),
        max: schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : 1000),
      });
    case 'number':
      return fc.double({
        min: schema.minimum ?? 0,
        max: schema.maximum ?? 1e6,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'string':
      return fitString(schema);
    default:
      return fc.constantFrom('a', 1, true);
  }
}

/** One way to break a schema: the label says which (it goes into failure messages). */
export interface Breakage {
  label: string;
  value: unknown;
}

const WRONG_TYPE: Record<string, unknown[]> = {
  string: [42, true, null, [], {}],
  integer: ['1', 1.5, true, null, []],
  number: ['1', true, null, {}],
  boolean: ['true', 1, null],
  object: ['x', 1, [], null],
  array: ['x', 1, {}, null],
};

/** Values this schema rejects (empty when it accepts anything). */
export function breakages(schema: Schema): Breakage[] {
  if (schema.anyOf ?? schema.oneOf) {
    const branches = (schema.anyOf ?? schema.oneOf)!;
    const types = new Set(branches.map(typeOf));
    return [
      { label: 'wrong type', value: types.has('object') ? 'not-an-object' : { not: 'this' } },
      ...(types.has('array') || types.has('object') ? [] : [{ label: 'an array', value: [1, 2] }]),
    ].filter((b) => !branches.some((s) => accepts(s, b.value)));
  }
  if (schema.enum) return [{ label: 'not in enum', value: `zz-not-${String(schema.enum[0])}` }];
  if (schema.const !== undefined) return [{ label: 'not the const', value: `zz-${String(schema.const)}` }];
  const type = typeOf(schema);
  const out: Breakage[] = (WRONG_TYPE[type ?? ''] ?? []).map((value) => ({
    label: `wrong type ${typeof value}`,
    value,
  }));
  if (Array.isArray(schema.type) && schema.type.includes('null')) return out.filter((b) => b.value !== null);
  if (type === 'string') {
    if (schema.maxLength !== undefined)
      out.push({ label: 'too long', value: 'x'.repeat(schema.maxLength + 1) });
    if (schema.minLength && schema.minLength > 0) out.push({ label: 'too short', value: '' });
    if (schema.format === 'uuid') out.push({ label: 'not a uuid', value: 'not-a-uuid' });
    if (schema.format === 'date') out.push({ label: 'not a date', value: '2026-02-30x' });
    if (schema.format === 'date-time') out.push({ label: 'not a date-time', value: 'yesterday' });
    if (schema.format === 'email') out.push({ label: 'not an email', value: 'no-at-sign' });
    if (schema.pattern && !new RegExp(schema.pattern).test('\u0000')) {
      out.push({ label: 'breaks the pattern', value: '\u0000' });
    }
  }
  if (type === 'integer' || type === 'number') {
    if (schema.maximum !== undefined) out.push({ label: 'above maximum', value: schema.maximum + 1 });
    if (schema.minimum !== undefined) out.push({ label: 'below minimum', value: schema.minimum - 1 });
  }
  if (type === 'array') {
    if (schema.maxItems !== undefined) {
      out.push({ label: 'too many items', value: Array.from({ length: schema.maxItems + 1 }, (_, i) => i) });
    }
  }
  return out;
}

/** A cheap structural check, to drop a "breakage" a union still accepts. */
function accepts(schema: Schema, value: unknown): boolean {
  const type = typeOf(schema);
  if (schema.enum) return schema.enum.includes(value);
  switch (type) {
    case 'null':
      return value === null;
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      return true;
  }
}

/** Ways to break an object body: a missing required key, one field broken, an unknown key. */
export function bodyBreakages(schema: Schema, validBody: Record<string, unknown>): Breakage[] {
  const out: Breakage[] = [];
  for (const key of schema.required ?? []) {
    const { [key]: _, ...rest } = validBody;
    out.push({ label: `missing ${key}`, value: rest });
  }
  for (const [key, field] of Object.entries(schema.properties ?? {})) {
    for (const b of breakages(field))
      out.push({ label: `${key}: ${b.label}`, value: { ...validBody, [key]: b.value } });
  }
  if (schema.additionalProperties === false) {
    out.push({ label: 'unknown key', value: { ...validBody, zzUnknown: 1 } });
  }
  out.push({ label: 'body is an array', value: [validBody] }, { label: 'body is a string', value: 'body' });
  return out;
}
