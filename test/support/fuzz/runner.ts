import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { PASSWORD } from '../auth.ts';
import { ContractChecker, type Document, type Operation, operationsOf, type Parameter } from './openapi.ts';
import { type Fixed, RECIPES, type Who } from './recipes.ts';
import { bodyBreakages, breakages, type Hints, valid } from './schema-arbitrary.ts';
import { type Actor, localAhead, NEW_PASSWORD, type World } from './world.ts';

/**
 * The schema-driven fuzzer: for every operation of the OpenAPI document,
 * valid requests (schema-generated, with the recipe's real ids and tokens)
 * as owner, partner, stranger and anonymous, and invalid ones (one rule of
 * the schema broken, or no token where one is required). Every answer is
 * checked: no 5xx, the status and the JSON body as documented, a 4xx in the
 * envelope with an UPPER_SNAKE code; every batch of rejected requests must
 * leave the database as it was; and each operation's 2xx are counted.
 */
export interface FuzzOptions {
  seed: number;
  /** How many fuzzed requests to send (setup requests of recipes are not counted). */
  runs: number;
  log?: (line: string) => void;
}

export interface FuzzReport {
  sent: number;
  invalidSent: number;
  failures: string[];
  /** Operation key → number of 2xx/3xx answers. */
  reached: Map<string, number>;
  statuses: Map<number, number>;
  /** Error codes seen per status. */
  codes: Map<number, Set<string>>;
  operations: Operation[];
  fingerprints: number;
  /** Milliseconds spent per operation (recipes included), to find the slow ones. */
  time: Map<string, number>;
  /** The last answer per operation and identity: why an operation missed its 2xx. */
  last: Map<string, string>;
}

const UPPER_SNAKE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;
/**
 * Tables a rejected request may legitimately write: the idempotency record
 * keeps the answer to a keyed request (4xx included, its documented job) and
 * the audit log records refused sign-ins and MFA attempts; the bus and job
 * tables belong to the (stopped) workers.
 */
const MAY_CHANGE_ON_REJECT = [
  'idempotency_keys',
  'auth_audit_log',
  'auth_mfa_challenges',
  'platform_recurring_runs',
  'bus_deliveries',
  'bus_processed',
];

/** Field names whose meaning the schema cannot carry. */
const hints: Hints = (name, schema) => {
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  // Names mean something only for text (`email` is also a boolean channel switch).
  if (type !== undefined && type !== 'string' && type !== 'array' && name !== 'limit') return undefined;
  switch (name) {
    case 'timeZone':
      return fc.constantFrom('Europe/Paris', 'UTC', 'America/New_York', 'Asia/Tokyo');
    case 'locale':
      return fc.constantFrom('en-GB', 'fr-FR', 'en');
    case 'password':
    case 'currentPassword':
      return fc.constant(PASSWORD);
    case 'newPassword':
      return fc.constant(NEW_PASSWORD);
    case 'recurrence':
      return fc.constantFrom('FREQ=DAILY;COUNT=3', 'FREQ=WEEKLY;COUNT=2', null);
    case 'scheduledAt':
      return fc.integer({ min: 1, max: 200 }).map((days) => localAhead(days));
    case 'email':
      return fc.constant(null).map(() => `fz.${randomBytes(5).toString('hex')}@example.test`);
    case 'handle':
      return fc.constant(null).map(() => `fz_${randomBytes(5).toString('hex')}`);
    case 'birthday':
      return fc
        .date({ min: new Date('1950-01-01'), max: new Date('2005-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10));
    case 'relationshipStart':
    case 'anniversary':
      return fc
        .date({ min: new Date('2000-01-01'), max: new Date('2025-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10));
    case 'scopes':
      return fc.constant(['content:read']);
    case 'currency':
      return fc.constantFrom('EUR', 'USD', 'GBP');
    case 'planId':
      return fc.constantFrom('premium-monthly', 'premium-yearly', 'lifetime');
    case 'expiresAt':
    case 'publishAt':
      return fc
        .integer({ min: 2, max: 300 })
        .map((days) => new Date(Date.now() + days * 86_400_000).toISOString());
    case 'limit':
      return schema.type === 'integer'
        ? fc.integer({ min: 1, max: Math.min(schema.maximum ?? 50, 50) })
        : undefined;
    case 'cursor':
      return fc.constant(undefined);
    default:
      return undefined;
  }
};

/** The path's own resource, for a request without a recipe (invalid ones). */
function defaultPath(w: World, op: Operation, name: string): string | undefined {
  const p = op.path;
  if (p.startsWith('/v1/love-notes/templates/')) return w.templateId;
  if (p.startsWith('/v1/love-notes/{id}')) return name === 'id' ? w.noteId : encodeURIComponent('🙂');
  if (p.startsWith('/v1/calendar/events/')) return w.eventId;
  if (p.startsWith('/v1/calendar/feed/')) return w.feedToken;
  if (p.startsWith('/v1/coach/conversations/')) return w.conversationId;
  if (p.startsWith('/v1/admin/content/')) return w.content.id;
  if (p === '/v1/content/{slug}') return w.content.slug;
  if (p.startsWith('/v1/content/podcasts/')) return w.showSlug;
  if (p.startsWith('/v1/content/media/')) {
    return name === 'file'
      ? w.mediaFile
      : name === 'hash'
        ? w.mediaHash
        : name === 'variant'
          ? 'thumb'
          : 'master.m3u8';
  }
  if (p.startsWith('/v1/admin/api-keys/')) return w.apiKeyId;
  if (p.startsWith('/v1/admin/feature-flags/')) return w.flagKey;
  if (p.startsWith('/v1/admin/dead-letters/')) return w.deadLetterId;
  if (p.startsWith('/v1/admin/users/')) return w.stranger.id;
  if (p.startsWith('/v1/notifications/push-subscriptions/')) return w.pushSubscriptionId;
  if (p.startsWith('/v1/notifications/{id}')) return w.notificationIds[0];
  if (p.startsWith('/v1/users/me/export/')) return w.exportId;
  if (p.startsWith('/v1/users/{id}')) return w.owner.id;
  if (p.startsWith('/v1/billing/invoices/')) return w.invoiceId;
  if (p.startsWith('/v1/auth/oauth/')) return 'acme';
  if (p === '/v1/files/{path}') return w.filePath;
  return undefined;
}

/** Staff routes are "owned" by staff: the owner identity is the editor or the admin there. */
function actorFor(w: World, op: Operation, who: Who): Actor | undefined {
  if (who === 'anon') return undefined;
  if (who === 'partner') return w.partner;
  if (who === 'stranger') return w.stranger;
  if (op.path.startsWith('/v1/admin/content')) return w.editor;
  if (op.path.startsWith('/v1/admin/')) return w.admin;
  return w.owner;
}

const secured = (op: Operation) => (op.security ?? []).some((s) => Object.keys(s as object).length > 0);

export interface Built {
  label: string;
  /** The recipe chose who sends it (a throwaway user for a call that changes who someone is). */
  ownActor?: boolean;
  options: InjectOptions;
  actor: Actor | undefined;
  /** An invalid request: any 2xx is a failure, and it must change nothing. */
  invalid: boolean;
}

function encodeQuery(query: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(item))}`);
    }
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

function overlay(base: unknown, fixed: Record<string, unknown> | undefined): unknown {
  if (!fixed) return base;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(fixed)) {
    if (value === undefined) delete out[key];
    else out[key] = value;
  }
  return out;
}

/** Query and path values that a parameter's schema rejects (they travel as text: coercion applies). */
function textBreakages(param: Parameter): string[] {
  const s = param.schema;
  const out: string[] = [];
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  if (s.enum) out.push('zz-not-listed');
  if (type === 'integer' || type === 'number') {
    out.push('abc');
    if (s.maximum !== undefined) out.push(String(s.maximum + 1));
    if (s.minimum !== undefined) out.push(String(s.minimum - 1));
  }
  if (type === 'boolean') out.push('maybe');
  if (type === 'string') {
    if (s.format === 'uuid') out.push('not-a-uuid');
    if (s.format === 'date' || s.format === 'date-time') out.push('2026-13-45');
    if (s.maxLength !== undefined) out.push('x'.repeat(s.maxLength + 1));
    if (s.pattern && !new RegExp(s.pattern).test('%00')) out.push('%00');
  }
  return out;
}

export class Fuzzer {
  readonly checker: ContractChecker;
  readonly operations: Operation[];
  private readonly report: FuzzReport;

  constructor(
    private readonly world: World,
    document: Document,
    private readonly options: FuzzOptions,
  ) {
    this.checker = new ContractChecker(document);
    this.operations = operationsOf(document);
    this.report = {
      sent: 0,
      invalidSent: 0,
      failures: [],
      reached: new Map(),
      statuses: new Map(),
      codes: new Map(),
      operations: this.operations,
      fingerprints: 0,
      time: new Map(),
      last: new Map(),
    };
  }

  secured(op: Operation): boolean {
    return secured(op);
  }

  private sample<T>(arb: fc.Arbitrary<T>, salt: number): T {
    return fc.sample(arb, { seed: (this.options.seed * 7919 + salt) | 0, numRuns: 1 })[0]!;
  }

  /** One valid request for `op` as `who`, from the schema and the recipe. */
  async buildValid(op: Operation, who: Who, salt: number): Promise<Built | undefined> {
    let fixed: Fixed = {};
    const recipe = RECIPES[op.key];
    if (recipe) {
      try {
        fixed = await recipe(this.world, who);
      } catch (error) {
        this.report.failures.push(`${op.key} as ${who}: the recipe failed: ${(error as Error).message}`);
        return undefined;
      }
    }
    return this.assemble(op, who, fixed, salt, false);
  }

  private assemble(op: Operation, who: Who, fixed: Fixed, salt: number, invalid: boolean): Built {
    const w = this.world;
    const path = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
      const value =
        fixed.path?.[name] ??
        defaultPath(w, op, name) ??
        String(
          this.sample(valid(op.parameters.find((p) => p.name === name)?.schema ?? {}, hints, name), salt),
        );
      return name === 'path' ? value : value.includes('%') ? value : encodeURIComponent(value);
    });
    const queryParams = op.parameters.filter((p) => p.in === 'query');
    const query = this.sample(
      fc.record(Object.fromEntries(queryParams.map((p) => [p.name, valid(p.schema, hints, p.name)])), {
        requiredKeys: queryParams.filter((p) => p.required).map((p) => p.name),
      }),
      salt + 1,
    );
    let payload: InjectOptions['payload'];
    let headers: Record<string, string> = { ...fixed.headers };
    if (fixed.raw) {
      payload = fixed.raw.payload;
      headers = { ...headers, ...fixed.raw.headers };
    } else if (fixed.exactBody !== undefined) {
      payload = JSON.stringify(fixed.exactBody);
      headers['content-type'] = 'application/json';
    } else if (op.body) {
      payload = JSON.stringify(overlay(this.sample(valid(op.body, hints), salt + 2), fixed.body));
      headers['content-type'] = 'application/json';
    }
    const actor = fixed.actor === null ? undefined : (fixed.actor ?? actorFor(w, op, who));
    return {
      label: `${who}${invalid ? ' invalid' : ''}`,
      ownActor: fixed.actor !== undefined,
      actor,
      invalid,
      options: {
        method: op.method as InjectOptions['method'],
        url: `${path}${encodeQuery((fixed.exactQuery ? fixed.query : overlay(query, fixed.query)) as Record<string, unknown>)}`,
        headers,
        payload,
        cookies: fixed.cookies,
      },
    };
  }

  /** One request that breaks one rule of the operation's schema (or omits a required token). */
  buildInvalid(op: Operation, salt: number): Built | undefined {
    const w = this.world;
    const base = this.assemble(op, 'owner', RECIPE_FREE[op.key] ?? {}, salt, true);
    const options: Built[] = [];
    if (secured(op)) options.push({ ...base, label: 'anon without a token', actor: undefined });
    if (op.body && base.options.payload !== undefined && !RAW_BODY.has(op.key)) {
      const body = JSON.parse(String(base.options.payload)) as Record<string, unknown>;
      const all = [...bodyBreakages(op.body, body), ...(op.body.type === 'object' ? [] : breakages(op.body))];
      for (const b of all) {
        options.push({
          ...base,
          label: `body ${b.label}`,
          options: { ...base.options, payload: JSON.stringify(b.value) },
        });
      }
    }
    for (const param of op.parameters.filter((p) => p.in === 'query')) {
      for (const value of textBreakages(param)) {
        const url = new URL(`http://x${base.options.url}`);
        url.searchParams.set(param.name, value);
        options.push({
          ...base,
          label: `query ${param.name}=${value.slice(0, 20)}`,
          options: { ...base.options, url: `${url.pathname}${url.search}` },
        });
      }
    }
    for (const param of op.parameters.filter((p) => p.in === 'path')) {
      for (const value of textBreakages(param)) {
        const real = defaultPath(w, op, param.name);
        if (!real) continue;
        options.push({
          ...base,
          label: `path ${param.name}=${value.slice(0, 20)}`,
          options: {
            ...base.options,
            url: String(base.options.url).replace(encodeURIComponent(real), value),
          },
        });
      }
    }
    if (options.length === 0) return undefined;
    const chosen = options[this.sample(fc.nat(options.length - 1), salt + 3)]!;
    return { ...chosen, label: `invalid: ${chosen.label}` };
  }

  async send(built: Built): Promise<LightMyRequestResponse> {
    const stream = /\/realtime\/sse|\/analytics\/live/.test(String(built.options.url));
    if (!stream) return this.world.send(built.actor, built.options);
    // The stream stays open: on a 2xx its status and headers are all there is to check, then the client
    // hangs up; an error answer ends, and its body is read like any other.
    const controller = new AbortController();
    const res = await this.world.send(built.actor, {
      ...built.options,
      payloadAsStream: true,
      signal: controller.signal,
    });
    controller.abort();
    res.stream().destroy();
    // An error answer ends: send it again without streaming to read its envelope.
    if (res.statusCode >= 400) return this.world.send(built.actor, built.options);
    return res;
  }

  /** Checks one answer; returns whether it was a success (2xx, or 3xx for redirect-only routes). */
  check(op: Operation, built: Built, res: LightMyRequestResponse): void {
    const r = this.report;
    r.sent++;
    if (built.invalid) r.invalidSent++;
    const status = res.statusCode;
    r.statuses.set(status, (r.statuses.get(status) ?? 0) + 1);
    const where = `${op.key} [${built.label}] ${built.options.method} ${String(built.options.url).slice(0, 160)}`;
    // A stream that opened (2xx) has no body to read; its error answers are plain JSON.
    const streamed = /\/realtime\/sse|\/analytics\/live/.test(String(built.options.url)) && status < 400;
    const body = streamed ? '' : res.body;
    const fail = (problem: string) =>
      r.failures.push(
        `${where} → ${status}: ${problem} | request ${String(built.options.payload ?? '').slice(0, 200)} | answer ${body.slice(0, 300)}`,
      );
    if (status >= 500) fail('a 5xx');
    const contract = this.checker.check(op, status, String(res.headers['content-type'] ?? ''), body);
    if (contract) fail(contract);
    if (status >= 400 && status < 500) {
      let code: unknown;
      try {
        const parsed = JSON.parse(body) as { success?: unknown; errors?: { code?: unknown }[] };
        if (parsed.success !== false) fail('a 4xx without success: false');
        code = parsed.errors?.[0]?.code;
      } catch {
        fail('a 4xx without a JSON envelope');
      }
      // A fixture's session ended by an earlier request would turn every later request of
      // theirs into this 401 and hide the operations behind it: name it where it shows first.
      if (code === 'TOKEN_REVOKED' && !built.ownActor && built.actor && built.actor !== this.world.suspended)
        fail(`the fixture's session was revoked by an earlier request`);
      if (typeof code !== 'string' || !UPPER_SNAKE.test(code))
        fail(`a 4xx whose code ${String(code)} is not UPPER_SNAKE`);
      else {
        const codes = r.codes.get(status) ?? new Set<string>();
        codes.add(code);
        r.codes.set(status, codes);
      }
    }
    if (!built.invalid) r.last.set(`${op.key} ${built.label}`, `${status} ${body.slice(0, 160)}`);
    if (status < 400) {
      if (built.invalid) fail('an invalid request was accepted');
      else r.reached.set(op.key, (r.reached.get(op.key) ?? 0) + 1);
    }
  }

  /** A digest of every row of every table a rejected request must not touch, in one round trip. */
  async fingerprint(): Promise<Map<string, string>> {
    this.report.fingerprints++;
    const db = this.world.t.platform.database.db;
    const tables = await sql<{ tablename: string }>`
      select tablename from pg_tables where schemaname = 'public' order by tablename`.execute(db);
    const parts = tables.rows
      .map((t) => t.tablename)
      .filter((name) => !MAY_CHANGE_ON_REJECT.includes(name))
      .map(
        (name) =>
          sql`select ${name} as t, md5(coalesce(string_agg(x::text, ',' order by x::text), '')) as h from ${sql.table(name)} x`,
      );
    const rows = await sql<{ t: string; h: string }>`${sql.join(parts, sql` union all `)}`.execute(db);
    return new Map(rows.rows.map((row) => [row.t, row.h]));
  }

  /**
   * The tables once background work (an accepted erasure's modules, the bus, jobs) has stopped
   * changing them: the same digest three times in a row, 25 ms apart, with no other connection
   * of the database running a statement or holding a transaction open. One quiet moment was not
   * enough on a loaded machine: an erasure paused between modules for longer than 25 ms, and its
   * next step landed in the following batch of rejected requests.
   */
  private async settled(): Promise<Map<string, string>> {
    let last = await this.fingerprint();
    let quiet = 0;
    for (let i = 0; i < 80 && quiet < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      const next = await this.fingerprint();
      quiet = diff(last, next).length === 0 && !(await this.othersBusy()) ? quiet + 1 : 0;
      last = next;
    }
    return last;
  }

  /** Whether another connection of this database is running a statement or inside a transaction. */
  private async othersBusy(): Promise<boolean> {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid()
        and state in ('active', 'idle in transaction', 'idle in transaction (aborted)')
        and query not ilike 'listen%'`.execute(this.world.t.platform.database.db);
    return (rows[0]?.n ?? 0) > 0;
  }

  /**
   * Sends invalid requests in chunks; a chunk whose rejected requests changed
   * a table is replayed one request at a time to name the culprit.
   */
  private async rejectedBatch(batch: Array<{ op: Operation; built: Built }>): Promise<void> {
    const CHUNK = 40;
    for (let i = 0; i < batch.length; i += CHUNK) {
      const chunk = batch.slice(i, i + CHUNK);
      const before = await this.settled();
      const accepted: boolean[] = [];
      for (const { op, built } of chunk) {
        const res = await this.send(built);
        this.check(op, built, res);
        accepted.push(res.statusCode < 400);
      }
      if (accepted.some(Boolean)) continue;
      const changed = diff(before, await this.settled());
      if (changed.length === 0) continue;
      let named = false;
      for (const { op, built } of chunk) {
        const quiet = await this.settled();
        const res = await this.send(built);
        const moved = diff(quiet, await this.settled());
        if (res.statusCode >= 400 && moved.length > 0) {
          named = true;
          this.report.failures.push(
            `${op.key} [${built.label}] → ${res.statusCode} changed ${moved.join(', ')} although it was rejected: ${String(built.options.url).slice(0, 160)} ${String(built.options.payload ?? '').slice(0, 200)}`,
          );
        }
      }
      if (!named) this.report.failures.push(`a batch of rejected requests changed ${changed.join(', ')}`);
    }
  }

  async run(): Promise<FuzzReport> {
    const { runs, log } = this.options;
    const ops = this.operations;
    const identities: Who[] = ['owner', 'partner', 'stranger', 'anon'];
    // Per round and operation: the four identities with valid requests, two invalid requests.
    const perRound = ops.length * (identities.length + 2);
    const rounds = Math.max(1, Math.ceil(runs / perRound));
    let salt = 0;
    for (let round = 0; this.report.sent < runs; round++) {
      const order = this.sample(fc.shuffledSubarray(ops, { minLength: ops.length }), salt++);
      const rejected: Array<{ op: Operation; built: Built }> = [];
      for (const op of order) {
        const started = performance.now();
        for (const who of identities) {
          // The owner first; the others ask for the owner's things.
          salt += 10;
          const built = await this.buildValid(op, who, salt);
          if (!built) continue;
          this.check(op, built, await this.send(built));
        }
        for (let k = 0; k < 2; k++) {
          salt += 10;
          const built = this.buildInvalid(op, salt);
          if (built) rejected.push({ op, built });
        }
        this.report.time.set(op.key, (this.report.time.get(op.key) ?? 0) + performance.now() - started);
      }
      await this.rejectedBatch(rejected);
      log?.(
        `round ${round + 1}/${rounds}: ${this.report.sent} requests, ${this.report.reached.size}/${ops.length} operations with a 2xx, ${this.report.failures.length} failures`,
      );
    }
    return this.report;
  }
}

function diff(a: Map<string, string>, b: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [table, hash] of b) if (a.get(table) !== hash) out.push(table);
  return out;
}

/**
 * Invalid requests skip the recipes (which may create resources): the
 * owner's standing resources fill the path. These few need a body the
 * generator cannot make, so they are not broken as JSON.
 */
const RECIPE_FREE: Record<string, Fixed> = {};
const RAW_BODY = new Set([
  'PUT /v1/users/me/avatar',
  'POST /v1/admin/content/media',
  'POST /v1/notifications/webhooks/twilio',
]);
