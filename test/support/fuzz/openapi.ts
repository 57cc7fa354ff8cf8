import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { FORMATS } from '../../../src/platform/http/text.ts';
import type { Schema } from './schema-arbitrary.ts';

/**
 * The operations of the OpenAPI document the app serves, and a check of an
 * answer against it: the status must be documented for the operation (or
 * by its range, `4XX`, or `default`) and a JSON body must validate against
 * the documented schema (ajv, with the document's own $refs).
 */
export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: Schema;
}

export interface Operation {
  key: string;
  method: string;
  path: string;
  parameters: Parameter[];
  body?: Schema;
  responses: Record<string, unknown>;
  security: unknown[] | undefined;
}

export interface Document {
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components?: Record<string, Record<string, unknown>>;
  security?: unknown[];
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);

export function operationsOf(document: Document): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.has(method)) continue;
      const content = (op.requestBody as { content?: Record<string, { schema?: Schema }> } | undefined)
        ?.content;
      out.push({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        parameters: (op.parameters as Parameter[] | undefined) ?? [],
        body: content?.['application/json']?.schema,
        responses: (op.responses as Record<string, unknown>) ?? {},
        security: (op.security as unknown[] | undefined) ?? document.security,
      });
    }
  }
  return out;
}

const pointer = (...parts: string[]) =>
  parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

export class ContractChecker {
  private readonly ajv = new Ajv({ strict: false, allErrors: true, formats: FORMATS, validateFormats: true });
  private readonly validators = new Map<string, ValidateFunction | null>();

  constructor(private readonly document: Document) {
    addFormats.default(this.ajv);
    this.ajv.addSchema(document as object, 'openapi.json');
  }

  /** The documented response for a status: exact, then `4XX`-style range, then `default`. */
  responseKey(op: Operation, status: number): string | undefined {
    const code = String(status);
    if (code in op.responses) return code;
    const range = Object.keys(op.responses).find((k) => k.toUpperCase() === `${code[0]}XX`);
    if (range) return range;
    return 'default' in op.responses ? 'default' : undefined;
  }

  /** undefined when the answer keeps the contract, else what is wrong. */
  check(op: Operation, status: number, contentType: string, body: string): string | undefined {
    const key = this.responseKey(op, status);
    if (!key)
      return `status ${status} is not documented (documented: ${Object.keys(op.responses).join(', ')})`;
    if (!contentType.includes('json') || body === '') return undefined;
    const validate = this.validatorFor(op, key);
    if (!validate) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return 'a JSON content type with a body that is not JSON';
    }
    if (validate(parsed)) return undefined;
    const errors = (validate.errors ?? [])
      .slice(0, 3)
      .map((e) => `${e.instancePath || '/'} ${e.message}`)
      .join('; ');
    return `the body does not match the documented ${key} schema: ${errors}`;
  }

  private validatorFor(op: Operation, key: string): ValidateFunction | null {
    const id = `${op.key} ${key}`;
    if (this.validators.has(id)) return this.validators.get(id)!;
    let response = op.responses[key] as { $ref?: string; content?: Record<string, { schema?: unknown }> };
    let ref = `#/${pointer('paths', op.path, op.method.toLowerCase(), 'responses', key)}`;
    if (response.$ref) {
      ref = response.$ref;
      const name = ref.split('/').pop()!;
      response = this.document.components?.responses?.[name] as typeof response;
    }
    const media = response?.content
      ? Object.keys(response.content).find((m) => m.includes('json'))
      : undefined;
    const validator =
      media && response.content?.[media]?.schema
        ? this.ajv.compile({ $ref: `openapi.json${ref}/${pointer('content', media, 'schema')}` })
        : null;
    this.validators.set(id, validator);
    return validator;
  }
}
