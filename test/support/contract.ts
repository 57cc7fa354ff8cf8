import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { FORMATS } from '../../src/platform/http/text.ts';

/**
 * The OpenAPI contract, checked on every answer of every test that uses
 * createTestApp: the status must be one the route documents, and a JSON body
 * must match the documented schema of that status. Violations are collected
 * here and fail the test file that caused them when its app closes
 * (`assertContractKept`), or at exit if an app was never closed.
 */
export interface ContractViolation {
  route: string;
  status: number;
  problem: string;
}

const violations: ContractViolation[] = [];
let unreported = 0;

/** Routes added by a test itself (`createTestApp({ routes })`) are not part of the API. */
export function contractObserver(): { plugin: (app: FastifyInstance) => Promise<void>; seal(): void } {
  let sealed = false;
  const apiRoutes = new Set<string>();
  const plugin = fp(
    async (app: FastifyInstance) => {
      const ajv = new Ajv({ strict: false, allErrors: true, formats: FORMATS });
      addFormats.default(ajv);
      const compiled = new Map<unknown, ValidateFunction>();
      app.addHook('onRoute', (route) => {
        if (sealed) return;
        for (const method of [route.method].flat()) apiRoutes.add(`${method} ${route.url}`);
      });
      app.addHook('onReady', (done) => {
        for (const schema of Object.values(app.getSchemas())) {
          if (!ajv.getSchema(String((schema as { $id?: string }).$id))) ajv.addSchema(schema as object);
        }
        done();
      });
      const validatorOf = (schema: unknown) => {
        let validate = compiled.get(schema);
        if (!validate) {
          const id = (schema as { $id?: string }).$id;
          validate = (id ? ajv.getSchema(id) : undefined) ?? ajv.compile(schema as object);
          compiled.set(schema, validate);
        }
        return validate;
      };
      app.addHook('onSend', (request, reply, payload, done) => {
        try {
          const problem = check(request, reply, payload, apiRoutes, validatorOf);
          if (problem) record(problem);
        } catch (error) {
          record({
            route: `${request.method} ${request.routeOptions.url}`,
            status: reply.statusCode,
            problem: `the contract check failed: ${(error as Error).message}`,
          });
        }
        done(null, payload);
      });
    },
    { name: 'contract-observer' },
  );
  return {
    plugin,
    seal() {
      sealed = true;
    },
  };
}

function record(violation: ContractViolation) {
  violations.push(violation);
  unreported++;
}

function documented(responses: Record<string, unknown>, status: number): unknown {
  const code = String(status);
  if (code in responses) return responses[code];
  const range = `${code[0]}xx`;
  for (const key of Object.keys(responses)) if (key.toLowerCase() === range) return responses[key];
  return responses.default;
}

function check(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
  apiRoutes: Set<string>,
  validatorOf: (schema: unknown) => ValidateFunction,
): ContractViolation | undefined {
  const options = request.routeOptions;
  // No route matched (404/405 of the router) or a test-only route.
  if (!options.url || !apiRoutes.has(`${request.method} ${options.url}`)) return undefined;
  const schema = options.schema as { hide?: boolean; response?: Record<string, unknown> } | undefined;
  if (!schema || schema.hide || options.url.startsWith('/docs')) return undefined;
  const route = `${request.method} ${options.url}`;
  const status = reply.statusCode;
  const answer = documented(schema.response ?? {}, status);
  if (answer === undefined) {
    return { route, status, problem: `status ${status} is not documented (${short(payload)})` };
  }
  if (request.method === 'HEAD' || typeof payload !== 'string' || payload === '') return undefined;
  const type = String(reply.getHeader('content-type') ?? '');
  if (!type.includes('json')) return undefined;
  const schemaOf = answer as { type?: string; content?: Record<string, { schema: unknown }> };
  const bodySchema = schemaOf.content ? schemaOf.content['application/json']?.schema : answer;
  if (!bodySchema || schemaOf.type === 'null') {
    return { route, status, problem: `a body where the document says none (${short(payload)})` };
  }
  const validate = validatorOf(bodySchema);
  if (validate(JSON.parse(payload))) return undefined;
  return {
    route,
    status,
    problem: `the body does not match the documented schema: ${ajvMessage(validate)} (${short(payload)})`,
  };
}

const short = (payload: unknown) => (typeof payload === 'string' ? payload.slice(0, 300) : typeof payload);
const ajvMessage = (validate: ValidateFunction) =>
  (validate.errors ?? [])
    .slice(0, 3)
    .map((e) => `${e.instancePath || '/'} ${e.message}`)
    .join('; ');

/** Throws if any answer since the last call broke the contract (called when a test app closes). */
export function assertContractKept(): void {
  if (unreported === 0) return;
  const fresh = violations.slice(-unreported);
  unreported = 0;
  const lines = [...new Set(fresh.map((v) => `${v.route} → ${v.status}: ${v.problem}`))];
  throw new Error(
    `${fresh.length} answer(s) broke the OpenAPI contract (declare the status in the route's schema, or fix the answer):\n${lines.join('\n')}`,
  );
}

/** Every violation so far (a test of the checker reads it). */
export function contractViolations(): readonly ContractViolation[] {
  return violations;
}

process.on('exit', () => {
  if (unreported === 0) return;
  process.stderr.write(
    `${unreported} answer(s) broke the OpenAPI contract and no test app was closed to report them\n`,
  );
  process.exitCode = 1;
});
