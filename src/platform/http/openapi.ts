import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { type GuardTrait, guardOf } from './auth-context.ts';
import { ErrorAnswer, ErrorEnvelopeSchema } from './envelope.ts';

/**
 * OpenAPI 3.1 generated from the route schemas, served at /v1/openapi.json and
 * browsable at /docs. A route declares its tags, summary, inputs and success
 * answers; what every route shares is filled in here, once, from how the
 * route is built (its guards, inputs and config), so the document lists every
 * status a route can answer (test/support/contract.ts checks that against the
 * whole test suite):
 * - `operationId`: declared, or derived from method and path (unique);
 * - `security`: from the guard hooks that protect it (`guard()` in auth-context.ts);
 * - the error answers, each a shared entry of `components.responses`.
 */

interface SharedError {
  name: string;
  description: string;
  headers?: Record<string, { description: string; schema: { type: string } }>;
}

const RETRY_AFTER = { description: 'Seconds to wait before retrying', schema: { type: 'integer' } };

/** Every error status the API answers, described once. */
export const SHARED_ERRORS: Record<number, SharedError> = {
  400: {
    name: 'BadRequest',
    description:
      'The input is not valid (`VALIDATION_ERROR`, naming the field) or the API version is not supported (`UNSUPPORTED_VERSION`)',
  },
  401: {
    name: 'Unauthenticated',
    description:
      'No valid access token: it is missing where required, invalid or expired (`UNAUTHENTICATED`), or its session has ended since it was issued: signed out, suspended, deleted, password changed (`TOKEN_REVOKED`; refreshing will not help, sign in again)',
    headers: { 'WWW-Authenticate': { description: 'Bearer challenge', schema: { type: 'string' } } },
  },
  403: { name: 'Forbidden', description: 'The caller may not do this (`FORBIDDEN`)' },
  404: { name: 'NotFound', description: 'Nothing here the caller may see (`NOT_FOUND`)' },
  409: { name: 'Conflict', description: 'The current state does not allow this (`CONFLICT`)' },
  413: { name: 'PayloadTooLarge', description: 'The body is larger than allowed (`PAYLOAD_TOO_LARGE`)' },
  414: { name: 'UriTooLong', description: 'A part of the path is longer than allowed (`VALIDATION_ERROR`)' },
  415: {
    name: 'UnsupportedMediaType',
    description: 'The body is not in a media type this route takes (`UNSUPPORTED_MEDIA_TYPE`)',
  },
  416: {
    name: 'RangeNotSatisfiable',
    description:
      'The Range lies outside the file (`VALIDATION_ERROR`); `Content-Range: bytes */<size>` gives its size',
    headers: { 'Content-Range': { description: 'bytes */<size of the file>', schema: { type: 'string' } } },
  },
  422: {
    name: 'IdempotencyKeyReused',
    description: 'The Idempotency-Key was already used with a different request (`VALIDATION_ERROR`)',
  },
  429: {
    name: 'RateLimited',
    description: 'Too many requests (`RATE_LIMITED`)',
    headers: {
      'Retry-After': RETRY_AFTER,
      'RateLimit-Policy': { description: 'The limits that apply', schema: { type: 'string' } },
      RateLimit: { description: 'What is left of them', schema: { type: 'string' } },
    },
  },
  500: { name: 'Internal', description: 'Something went wrong on our side (`INTERNAL`)' },
  503: {
    name: 'ServiceUnavailable',
    description: 'Overloaded, shutting down or a dependency is down; retry later (`SERVICE_UNAVAILABLE`)',
    headers: { 'Retry-After': RETRY_AFTER },
  },
};

/** The document's tags, in the order a reader meets them. */
const TAG_DESCRIPTIONS: Record<string, string> = {
  auth: 'Sign-up, sign-in, sessions, MFA and OAuth',
  users: 'Profiles and preferences',
  privacy: 'Consents, data export and account deletion',
  couples: 'Invites and the couple two partners form',
  'love-notes': 'Notes between partners: now, scheduled or recurring; templates, reactions',
  notifications: 'In-app notifications, push subscriptions and devices',
  realtime: 'Live events over WebSocket or server-sent events',
  files: 'Stored files (local storage)',
  admin: 'For admins',
  'api-keys': 'Server-to-server API keys (admins make, rotate and revoke them)',
  operations: 'Health and readiness',
};

const ERROR_REF = ErrorAnswer;
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const WRITE_METHODS = BODY_METHODS;
const GUARDED_HOOKS = ['onRequest', 'preParsing', 'preValidation', 'preHandler'] as const;
const BEARER = [{ bearerAuth: [] }];

let hooksSymbol: symbol | undefined;

/** The hooks a plugin added before this route (Fastify keeps them under a private symbol). */
function pluginHooks(instance: FastifyInstance, name: string): unknown[] {
  hooksSymbol ??= Object.getOwnPropertySymbols(instance).find((s) => s.description === 'fastify.hooks');
  const hooks = hooksSymbol
    ? (instance as unknown as Record<symbol, Record<string, unknown[]>>)[hooksSymbol]
    : undefined;
  return hooks?.[name] ?? [];
}

/** The strictest guard among the hooks that run before this route's handler. */
function guardsOf(instance: FastifyInstance, route: RouteOptions): GuardTrait | undefined {
  let found: GuardTrait | undefined;
  for (const name of GUARDED_HOOKS) {
    const own = route[name];
    const hooks = [...pluginHooks(instance, name), ...(Array.isArray(own) ? own : own ? [own] : [])];
    for (const hook of hooks) {
      const trait = guardOf(hook);
      if (trait) found = { ...found, ...trait };
    }
  }
  return found;
}

const words = (segment: string) =>
  segment
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join('');

/** `GET /v1/love-notes/:id/deliveries` → `getLoveNotesByIdDeliveries`. */
export function operationIdFor(method: string, url: string): string {
  const parts = url
    .split('/')
    .filter((segment) => segment && segment !== 'v1')
    .map((segment) =>
      segment === '*' ? 'ByPath' : segment.startsWith(':') ? `By${words(segment.slice(1))}` : words(segment),
    );
  return `${method.toLowerCase()}${parts.join('')}`;
}

const isRange = (status: string) => /^[1-5]xx$/i.test(status);

/**
 * The statuses a route can answer besides its own, from its traits: the
 * conventions every route shares (version check, rate limit, overload), its
 * inputs, its guards, and the platform features it opts into.
 */
function sharedStatuses(route: RouteOptions, method: string): number[] {
  const statuses = [400, 401, 429, 500, 503];
  if (route.url.includes(':') || route.url.includes('*')) statuses.push(404, 414);
  if (BODY_METHODS.has(method)) statuses.push(413, 415);
  // A write may clash with the current state, or be refused (a suspended account, a missing CSRF token).
  if (WRITE_METHODS.has(method)) statuses.push(403, 409);
  if (route.config?.idempotent) statuses.push(409, 422);
  return statuses;
}

interface PendingRoute {
  instance: FastifyInstance;
  route: RouteOptions;
  schema: RouteSchema;
}

type RouteSchema = Omit<FastifySchema, 'response'> & { response?: Record<string, unknown> };

const methodOf = (route: RouteOptions) =>
  Array.isArray(route.method) ? String(route.method[0]) : String(route.method);

/**
 * The onRoute half: completes each route's schema before Fastify compiles it,
 * so the serializer and the document agree on every answer. Guards that a
 * plugin adds with `addHook` are only attached once the plugin has loaded, so
 * what depends on them is settled at onReady (`settleGuards`).
 */
function completeRoute(
  instance: FastifyInstance,
  route: RouteOptions,
  taken: Set<string>,
): PendingRoute | undefined {
  const method = methodOf(route);
  if (route.url.startsWith('/docs')) {
    // Swagger UI's own routes: its page fetches /docs/json and needs the bare document.
    route.config = { ...route.config, rawBody: true };
    return undefined;
  }
  const schema = { ...(route.schema ?? {}) } as RouteSchema;
  if (schema.hide) return undefined;

  if (method !== 'HEAD') {
    const wanted = schema.operationId ?? operationIdFor(method, route.url);
    let operationId = wanted;
    for (let n = 2; taken.has(operationId); n++) operationId = `${wanted}${n}`;
    taken.add(operationId);
    schema.operationId = operationId;
  }
  if (!schema.tags || schema.tags.length === 0) {
    schema.tags = [route.url.split('/').filter((s) => s && s !== 'v1')[0] ?? 'api'];
  }

  const response: Record<string, unknown> = {};
  for (const [status, answer] of Object.entries(schema.response ?? {})) {
    if (!isRange(status)) response[status] = answer;
  }
  if (!Object.keys(response).some((status) => /^[23]/.test(status))) {
    response['200'] = { description: 'Success' };
  }
  if (route.config?.cache) {
    response['304'] = { type: 'null', description: 'Not modified: If-None-Match matched the ETag' };
  }
  for (const status of sharedStatuses(route, method)) response[String(status)] ??= ERROR_REF;
  schema.response = response;
  route.schema = schema;
  return { instance, route, schema };
}

/** The onReady half: `security` and 403 from the guards that ended up protecting each route. */
function settleGuards({ instance, route, schema }: PendingRoute): void {
  const guard = guardsOf(instance, route);
  if (schema.security === undefined) {
    schema.security = guard ? (route.config?.accessCookie ? [...BEARER, { accessCookie: [] }] : BEARER) : [];
    // A route that takes API keys names the scope they need (OpenAPI 3.1 allows scopes on any scheme).
    const scope = route.config?.apiKeyScope;
    if (guard && scope)
      schema.security = [...schema.security, { apiKey: [scope] }, { apiKeyBearer: [scope] }];
  }
  // Services check who may touch what and whether it exists for this caller.
  if (guard && schema.response) {
    schema.response['403'] ??= ERROR_REF;
    schema.response['404'] ??= ERROR_REF;
  }
}

/** Post-processing of the generated document: shared error responses by reference, servers, path names. */
function finishDocument({ openapiObject }: { openapiObject: Record<string, unknown> }) {
  const doc = openapiObject as {
    paths: Record<
      string,
      Record<
        string,
        { responses?: Record<string, unknown>; tags?: string[]; parameters?: { in: string; name: string }[] }
      >
    >;
    components: Record<string, unknown>;
    tags?: { name: string }[];
  };
  const tags = new Set<string>();
  const paths: typeof doc.paths = {};
  for (const [path, operations] of Object.entries(doc.paths)) {
    // A wildcard route (`/v1/files/*`) is a path parameter named `path` in OpenAPI terms.
    const name = path.replace('{*}', '{path}');
    for (const operation of Object.values(operations)) {
      for (const tag of operation.tags ?? []) tags.add(tag);
      for (const parameter of operation.parameters ?? []) {
        if (parameter.in === 'path' && parameter.name === '*') parameter.name = 'path';
      }
      for (const status of Object.keys(operation.responses ?? {})) {
        const shared = SHARED_ERRORS[Number(status)];
        if (shared && operation.responses)
          operation.responses[status] = { $ref: `#/components/responses/${shared.name}` };
      }
    }
    paths[name] = operations;
  }
  doc.paths = paths;
  doc.components.responses = Object.fromEntries(
    Object.values(SHARED_ERRORS).map(({ name, description, headers }) => [
      name,
      {
        description,
        ...(headers ? { headers } : {}),
        content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } } },
      },
    ]),
  );
  const known = Object.keys(TAG_DESCRIPTIONS);
  doc.tags = [...tags]
    .sort((a, b) => (known.indexOf(a) + 1 || 99) - (known.indexOf(b) + 1 || 99))
    .map((name) => ({ name, description: TAG_DESCRIPTIONS[name] ?? name }));
  return openapiObject;
}

export const openapi = fp(
  async (app: FastifyInstance) => {
    app.addSchema(ErrorEnvelopeSchema);
    const taken = new Set<string>();
    const pending: PendingRoute[] = [];
    // Before swagger's own onRoute hook, and before any route is added.
    app.addHook('onRoute', function (this: FastifyInstance, route) {
      const completed = completeRoute(this, route, taken);
      if (completed) pending.push(completed);
    });
    app.addHook('onReady', (done) => {
      for (const route of pending.splice(0)) settleGuards(route);
      done();
    });
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'One 2 One Love API',
          version: '1.0.0',
          description:
            'Every response uses the envelope `{ success, data, errors, meta }`. Errors carry stable UPPER_SNAKE codes.',
          license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
        },
        servers: [{ url: '/', description: 'This server' }],
        components: {
          securitySchemes: {
            bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
            apiKey: {
              type: 'apiKey',
              in: 'header',
              name: 'X-API-Key',
              description:
                'A server-to-server API key (`o2o_live_…`, made by an admin at /v1/admin/api-keys); only on routes that list it, with the scope they name',
            },
            apiKeyBearer: {
              type: 'http',
              scheme: 'bearer',
              bearerFormat: 'o2o_live_… API key',
              description: 'The same API key as `Authorization: Bearer o2o_live_…`',
            },
            accessCookie: {
              type: 'apiKey',
              in: 'cookie',
              name: 'o2o_access',
              description: "The web session's access token (only where a route says so)",
            },
          },
        },
      },
      // Shared schemas keep their names (`#/components/schemas/ErrorEnvelope`).
      refResolver: {
        buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`),
      },
      transformObject: (documentObject) =>
        finishDocument(documentObject as unknown as { openapiObject: Record<string, unknown> }) as never,
    });
    await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { url: '/v1/openapi.json' } });
    app.get('/v1/openapi.json', { schema: { hide: true }, config: { rawBody: true } }, async () =>
      app.swagger(),
    );
  },
  { name: 'openapi' },
);
