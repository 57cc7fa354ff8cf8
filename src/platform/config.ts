import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseIpRange } from './gateway/ip-ranges.ts';

/**
 * The one place that reads the environment. Every value is parsed and checked
 * once at start; a bad value stops the process with a message naming each
 * offending variable, so a typo never becomes a mysterious failure later.
 */

export type NodeEnv = 'development' | 'test' | 'production';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface PlatformConfig {
  nodeEnv: NodeEnv;
  host: string;
  port: number;
  logLevel: LogLevel;
  /** `pretty` (pino-pretty) or `json`; unset: pretty in development on a terminal, else JSON. */
  logFormat: 'json' | 'pretty' | undefined;
  dataDir: string;
  /** The built web app served at `/` (web/dist); unset under test unless WEB_APP_DIR is given. */
  webAppDir: string | undefined;
  databaseUrl: string | undefined;
  /**
   * A connection to the primary that bypasses PgBouncer, for what needs a session of its
   * own: LISTEN (bus and cache listeners), the job runner, migrations. Unset: DATABASE_URL.
   */
  databaseDirectUrl: string | undefined;
  /** Streaming replicas that serve the hot read paths (`database.reader`); empty: the primary serves all. */
  databaseReplicaUrls: string[];
  /** After a write, the writer's reads go to the primary for this long (read-your-writes). */
  databaseReplicaStickySeconds: number;
  databasePoolMax: number;
  /**
   * Named prepared statements for the query builder's queries (see db/database.ts), on the
   * primary and the replicas. Default: on when DATABASE_DIRECT_URL is unset (DATABASE_URL is a
   * real session), off when it is set (DATABASE_URL goes through a transaction pooler).
   */
  databasePreparedStatements: boolean;
  embeddedPostgresPort: number;
  redisUrl: string | undefined;
  /** `host:port` of Redis Cluster nodes (REDIS_CLUSTER_NODES); when set, used instead of REDIS_URL. */
  redisClusterNodes: string[];
  /** Where the shared Redis is: one server, a cluster, or none (in-process fallbacks). */
  redis: RedisTarget | undefined;
  natsUrl: string | undefined;
  /** Copies of the bus stream in a JetStream cluster (3 survives the loss of one node). */
  natsStreamReplicas: number;
  /** JetStream stream the bus relays to when NATS_URL is set. */
  natsStream: string;
  /** Redelivery delay of an unacknowledged NATS message (a crashed worker's). */
  busAckWaitMs: number;
  /** Consumer loops per group in one worker process. */
  busConcurrency: number;
  /** The bus's safety-net poll behind NOTIFY and retry timers (one statement per process each time). */
  busIdlePollMs: number;
  /** How long a woken PostgreSQL-bus consumer waits before it claims, so batches hold more (latency per hop). */
  busGatherMs: number;
  jobsConcurrency: number;
  /** Each idle job slot's safety-net poll behind NOTIFY and the next-due timer. */
  jobsPollIntervalMs: number;
  /** Port of the /metrics endpoint of a `worker`-only process (unset: none). */
  workerMetricsPort: number | undefined;
  /** When set, /metrics (API and worker) answers only `Authorization: Bearer <this>`. */
  metricsToken: string | undefined;
  modules: string[] | 'all';
  corsOrigins: string[];
  trustProxy: string[];
  bodyLimitBytes: number;
  /** `kid:base64key` pairs; the first one encrypts, all of them decrypt. */
  encryptionKeys: string | undefined;
  /** PEM-encoded private keys for access tokens (used by the auth module). */
  jwtSigningKeys: string | undefined;
  shedMaxEventLoopDelayMs: number;
  shedMaxHeapUsedBytes: number;
  shutdownTimeoutMs: number;
  /** Requests slower than this are logged at info (warn from 5× it); the rest at debug. */
  slowRequestMs: number;
  /** Public base URL of this API, for links in responses (avatars, downloads); unset gives root-relative links. */
  publicUrl: string | undefined;
  /** Public base URL of the client app, for links people share (couple invites). */
  appUrl: string;
  /** Where files go: local disk under DATA_DIR/storage, or an S3-compatible bucket. */
  storage: {
    driver: 'local' | 's3';
    s3: {
      bucket: string | undefined;
      region: string;
      endpoint: string | undefined;
      forcePathStyle: boolean;
      accessKeyId: string | undefined;
      secretAccessKey: string | undefined;
      publicUrl: string | undefined;
    };
  };
  /** SMTP for outgoing mail; unset writes .eml files under data/outbox/mail. */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Gateway: rate limits, response cache and overload limits (docs/gateway.md). */
  gateway: GatewayConfig;
  /** Push and SMS providers (src/platform/channels); without credentials they write under DATA_DIR/outbox. */
  channels: ChannelsConfig;
}

/** One Redis server (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER_NODES). */
export type RedisTarget =
  | { kind: 'single'; url: string }
  | { kind: 'cluster'; nodes: { host: string; port: number }[] };

export interface GatewayConfig {
  rateLimitEnabled: boolean;
  /** Token bucket refill rate shared by every process (0 disables the global level). */
  globalPerSecond: number;
  /** Token bucket capacity: how many requests may arrive at once above the steady rate. */
  burstPerSecond: number;
  perIpPerMinute: number;
  perUserPerMinute: number;
  /**
   * With Redis: the largest quota lease a process may take at once, as a percentage of a
   * limit (0 = every request asks Redis). See rate-limit/lease-store.ts.
   */
  leasePercent: number;
  responseCacheEnabled: boolean;
  responseCacheMaxEntries: number;
  /** Prefix of the gateway's Redis keys; unique per app under test so suites never share counters. */
  redisPrefix: string;
  requestTimeoutMs: number;
  maxConcurrentRequests: number;
  /** Addresses/CIDRs that may call /v1/admin/* (empty: anyone). */
  adminAllowedIps: string[];
}

export interface ChannelsConfig {
  /** VAPID key pair (base64url); generated once under DATA_DIR/secrets when unset. */
  vapidPublicKey: string | undefined;
  vapidPrivateKey: string | undefined;
  /** The `mailto:` or `https:` contact push services see in the VAPID token. */
  vapidSubject: string;
  /** A Google service-account key: inline JSON, or the path of its file. Unset writes pushes to files. */
  fcmServiceAccount: string | undefined;
  fcmApiUrl: string;
  apns: ApnsConfig | undefined;
  twilio: TwilioConfig | undefined;
  /** Region for phone numbers typed without a country code (ISO 3166 alpha-2). */
  smsDefaultRegion: string | undefined;
}

export interface ApnsConfig {
  /** The .p8 key: inline PEM, or the path of its file. */
  key: string;
  keyId: string;
  teamId: string;
  /** The iOS app's bundle id. */
  topic: string;
  url: string;
}

export interface TwilioConfig {
  accountSid: string;
  authToken: string;
  /** A sending number (E.164) or a Messaging Service SID. */
  from: string;
  /** Replaces https://api.twilio.com (a local fake in tests, or an egress proxy). */
  apiUrl: string | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

/** Reads and checks environment variables, collecting every problem instead of stopping at the first. */
export class EnvReader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  private raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  optional(name: string): string | undefined {
    return this.raw(name);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
    return fallback;
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(value)) return true;
    if (['false', '0', 'no', 'off'].includes(value)) return false;
    this.problems.push(`${name} must be true or false (got "${value}")`);
    return fallback;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      this.problems.push(`${name} must be an integer from ${min} to ${max} (got "${value}")`);
      return fallback;
    }
    return n;
  }

  url(name: string, protocols: readonly string[]): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) throw new Error('protocol');
      return value;
    } catch {
      this.problems.push(
        `${name} must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
      );
      return undefined;
    }
  }

  /** A comma-separated list of URLs (a cluster's seed servers), each checked; kept as given. */
  urls(name: string, protocols: readonly string[]): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    const bad = value.split(',').some((item) => {
      try {
        return !protocols.includes(new URL(item.trim()).protocol);
      } catch {
        return true;
      }
    });
    if (!bad) return value;
    this.problems.push(
      `${name} must be URLs starting with ${protocols.map((p) => `${p}//`).join(' or ')}, separated by commas`,
    );
    return undefined;
  }

  list(name: string): string[] {
    const value = this.raw(name);
    if (value === undefined) return [];
    return value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  }
}

function databaseUrls(r: EnvReader, name: string): string[] {
  const urls = r.list(name);
  for (const url of urls) {
    let ok = false;
    try {
      ok = ['postgres:', 'postgresql:'].includes(new URL(url).protocol);
    } catch {}
    if (!ok) r.problems.push(`${name}: each entry must be a URL starting with postgres:// or postgresql://`);
  }
  return urls;
}

function clusterNodes(r: EnvReader): { host: string; port: number }[] {
  return r.list('REDIS_CLUSTER_NODES').flatMap((entry) => {
    const match = /^(.+):(\d{1,5})$/.exec(entry);
    const port = Number(match?.[2]);
    if (!match || port < 1 || port > 65535) {
      r.problems.push(`REDIS_CLUSTER_NODES: "${entry}" is not host:port`);
      return [];
    }
    return [{ host: match[1]!.replace(/^\[(.*)\]$/, '$1'), port }];
  });
}

function redisTarget(
  url: string | undefined,
  nodes: { host: string; port: number }[],
): RedisTarget | undefined {
  if (nodes.length > 0) return { kind: 'cluster', nodes };
  return url ? { kind: 'single', url } : undefined;
}

/** A comma-separated list of addresses/CIDRs, each checked now so a typo stops the start. */
function ipRanges(r: EnvReader, name: string): string[] {
  const entries = r.list(name);
  for (const entry of entries) {
    try {
      parseIpRange(entry);
    } catch {
      r.problems.push(`${name}: "${entry}" is not an IP address or CIDR (e.g. 10.0.0.0/8, 2001:db8::/32)`);
    }
  }
  return entries;
}

const NODE_ENVS = ['development', 'test', 'production'] as const;
const LOG_FORMATS = ['json', 'pretty'] as const;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Providers are all-or-nothing: a half-configured one is a mistake worth stopping for. */
export function group<K extends string>(
  r: EnvReader,
  values: Record<K, string | undefined>,
): Record<K, string> | undefined {
  const names = Object.keys(values) as K[];
  const set = names.filter((name) => values[name] !== undefined);
  if (set.length === 0) return undefined;
  if (set.length < names.length) {
    const missing = names.filter((name) => values[name] === undefined);
    r.problems.push(`${missing.join(', ')} must be set too when ${set.join(', ')} is set`);
    return undefined;
  }
  return values as Record<K, string>;
}

function channelsConfig(r: EnvReader): ChannelsConfig {
  const vapidSubject = r.string('VAPID_SUBJECT', 'mailto:push@one2one.love');
  if (!/^(mailto:|https:\/\/)/.test(vapidSubject))
    r.problems.push('VAPID_SUBJECT must start with mailto: or https://');
  const vapid = group(r, {
    VAPID_PUBLIC_KEY: r.optional('VAPID_PUBLIC_KEY'),
    VAPID_PRIVATE_KEY: r.optional('VAPID_PRIVATE_KEY'),
  });
  const apns = group(r, {
    APNS_KEY: r.optional('APNS_KEY'),
    APNS_KEY_ID: r.optional('APNS_KEY_ID'),
    APNS_TEAM_ID: r.optional('APNS_TEAM_ID'),
    APNS_TOPIC: r.optional('APNS_TOPIC'),
  });
  const twilio = group(r, {
    TWILIO_ACCOUNT_SID: r.optional('TWILIO_ACCOUNT_SID'),
    TWILIO_AUTH_TOKEN: r.optional('TWILIO_AUTH_TOKEN'),
    TWILIO_FROM: r.optional('TWILIO_FROM'),
  });
  const region = r.optional('SMS_DEFAULT_REGION')?.toUpperCase();
  if (region !== undefined && !/^[A-Z]{2}$/.test(region))
    r.problems.push('SMS_DEFAULT_REGION must be a two-letter country code');
  return {
    vapidPublicKey: vapid?.VAPID_PUBLIC_KEY,
    vapidPrivateKey: vapid?.VAPID_PRIVATE_KEY,
    vapidSubject,
    fcmServiceAccount: r.optional('FCM_SERVICE_ACCOUNT'),
    fcmApiUrl: r.url('FCM_API_URL', ['https:']) ?? 'https://fcm.googleapis.com',
    apns: apns && {
      key: apns.APNS_KEY,
      keyId: apns.APNS_KEY_ID,
      teamId: apns.APNS_TEAM_ID,
      topic: apns.APNS_TOPIC,
      url: r.url('APNS_URL', ['https:']) ?? 'https://api.push.apple.com',
    },
    twilio: twilio && {
      accountSid: twilio.TWILIO_ACCOUNT_SID,
      authToken: twilio.TWILIO_AUTH_TOKEN,
      from: twilio.TWILIO_FROM,
      apiUrl: r.url('TWILIO_API_URL', ['https:', 'http:']),
    },
    smsDefaultRegion: region,
  };
}

/** `WEB_APP_DIR=off` serves no web app (an API-only deployment); tests opt in by naming a folder. */
function webAppDir(value: string | undefined, nodeEnv: string): string | undefined {
  if (value === 'off') return undefined;
  if (value !== undefined) return path.resolve(value);
  return nodeEnv === 'test' ? undefined : fileURLToPath(new URL('../../web/dist', import.meta.url));
}

/**
 * The platform's part of the configuration. Problems go to `r.problems`; the
 * composition root (src/config.ts) adds each module's section and throws
 * ConfigError listing all of them.
 */
export function parsePlatformConfig(r: EnvReader): PlatformConfig {
  const nodeEnv = r.oneOf('NODE_ENV', NODE_ENVS, 'development');
  const modules = r.list('MODULES');
  const redisUrl = r.url('REDIS_URL', ['redis:', 'rediss:']);
  const redisClusterNodes = clusterNodes(r);
  const config: PlatformConfig = {
    nodeEnv,
    host: r.string('HOST', '0.0.0.0'),
    port: r.int('PORT', 3000, 0, 65535),
    logLevel: r.oneOf('LOG_LEVEL', LOG_LEVELS, nodeEnv === 'test' ? 'silent' : 'info'),
    logFormat:
      r.optional('LOG_FORMAT') === undefined ? undefined : r.oneOf('LOG_FORMAT', LOG_FORMATS, 'json'),
    dataDir: path.resolve(r.string('DATA_DIR', 'data')),
    webAppDir: webAppDir(r.optional('WEB_APP_DIR'), nodeEnv),
    databaseUrl: r.url('DATABASE_URL', ['postgres:', 'postgresql:']),
    databaseDirectUrl: r.url('DATABASE_DIRECT_URL', ['postgres:', 'postgresql:']),
    databaseReplicaUrls: databaseUrls(r, 'DATABASE_REPLICA_URLS'),
    databaseReplicaStickySeconds: r.int('DATABASE_REPLICA_STICKY_SECONDS', 5, 1, 3600),
    databasePoolMax: r.int('DATABASE_POOL_MAX', 10, 1, 1000),
    // On unless DATABASE_DIRECT_URL says DATABASE_URL is a transaction pooler (PgBouncer before
    // 1.21 cannot carry named statements between server connections); an explicit value wins.
    databasePreparedStatements: r.bool(
      'DATABASE_PREPARED_STATEMENTS',
      r.optional('DATABASE_DIRECT_URL') === undefined,
    ),
    embeddedPostgresPort: r.int('EMBEDDED_POSTGRES_PORT', 54329, 1024, 65535),
    redisUrl,
    redisClusterNodes: redisClusterNodes.map(({ host, port }) => `${host}:${port}`),
    redis: redisTarget(redisUrl, redisClusterNodes),
    natsUrl: r.urls('NATS_URL', ['nats:', 'tls:']),
    natsStreamReplicas: r.int('NATS_STREAM_REPLICAS', 1, 1, 5),
    natsStream: r.string('NATS_STREAM', 'O2O_EVENTS'),
    busAckWaitMs: r.int('BUS_ACK_WAIT_MS', 10_000, 100, 3_600_000),
    busConcurrency: r.int('BUS_CONCURRENCY', 2, 1, 64),
    busIdlePollMs: r.int('BUS_IDLE_POLL_MS', 30_000, 50, 600_000),
    busGatherMs: r.int('BUS_GATHER_MS', 50, 0, 1000),
    jobsConcurrency: r.int('JOBS_CONCURRENCY', 4, 1, 100),
    jobsPollIntervalMs: r.int('JOBS_POLL_INTERVAL_MS', 30_000, 50, 600_000),
    workerMetricsPort: r.optional('WORKER_METRICS_PORT')
      ? r.int('WORKER_METRICS_PORT', 0, 0, 65535)
      : undefined,
    modules: modules.length === 0 || modules.includes('all') ? 'all' : modules,
    metricsToken: r.optional('METRICS_TOKEN'),
    corsOrigins: r.list('CORS_ORIGINS'),
    trustProxy: r.list('TRUST_PROXY'),
    bodyLimitBytes: r.int('BODY_LIMIT_BYTES', 1_048_576, 1024, 100 * 1_048_576),
    encryptionKeys: r.optional('ENCRYPTION_KEYS'),
    jwtSigningKeys: r.optional('JWT_SIGNING_KEYS'),
    shedMaxEventLoopDelayMs: r.int('SHED_MAX_EVENT_LOOP_DELAY_MS', 1000, 0, 60_000),
    shedMaxHeapUsedBytes: r.int('SHED_MAX_HEAP_USED_BYTES', 0, 0, Number.MAX_SAFE_INTEGER),
    shutdownTimeoutMs: r.int('SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    slowRequestMs: r.int('SLOW_REQUEST_MS', 1000, 0, 600_000),
    publicUrl: r.url('PUBLIC_URL', ['http:', 'https:'])?.replace(/\/+$/, ''),
    appUrl: (r.url('APP_URL', ['http:', 'https:']) ?? 'http://localhost:3000').replace(/\/+$/, ''),
    storage: {
      driver: r.oneOf('STORAGE_DRIVER', ['local', 's3'] as const, 'local'),
      s3: {
        bucket: r.optional('S3_BUCKET'),
        region: r.string('S3_REGION', 'us-east-1'),
        endpoint: r.url('S3_ENDPOINT', ['http:', 'https:']),
        forcePathStyle: r.oneOf('S3_FORCE_PATH_STYLE', ['true', 'false'] as const, 'true') === 'true',
        accessKeyId: r.optional('S3_ACCESS_KEY_ID'),
        secretAccessKey: r.optional('S3_SECRET_ACCESS_KEY'),
        publicUrl: r.url('S3_PUBLIC_URL', ['http:', 'https:']),
      },
    },
    smtpUrl: r.url('SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom: r.string('MAIL_FROM', 'One 2 One Love <no-reply@localhost>'),
    gateway: {
      // Off under test by default: suites share 127.0.0.1 and would throttle each other.
      rateLimitEnabled: r.bool('RATE_LIMIT_ENABLED', nodeEnv !== 'test'),
      globalPerSecond: r.int('RATE_LIMIT_GLOBAL_PER_SECOND', 10_000, 0, 10_000_000),
      burstPerSecond: r.int('RATE_LIMIT_BURST_PER_SECOND', 500, 1, 10_000_000),
      perIpPerMinute: r.int('RATE_LIMIT_PER_IP_PER_MINUTE', 200, 0, 10_000_000),
      perUserPerMinute: r.int('RATE_LIMIT_PER_USER_PER_MINUTE', 100, 0, 10_000_000),
      leasePercent: r.int('RATE_LIMIT_LEASE_PERCENT', 5, 0, 50),
      responseCacheEnabled: r.bool('RESPONSE_CACHE_ENABLED', true),
      responseCacheMaxEntries: r.int('RESPONSE_CACHE_MAX_ENTRIES', 10_000, 1, 10_000_000),
      redisPrefix: r.string(
        'GATEWAY_REDIS_PREFIX',
        nodeEnv === 'test' ? `o2o:test:${randomUUID()}:` : 'o2o:gw:',
      ),
      requestTimeoutMs: r.int('REQUEST_TIMEOUT_MS', 30_000, 0, 600_000),
      maxConcurrentRequests: r.int('MAX_CONCURRENT_REQUESTS', 1000, 0, 1_000_000),
      adminAllowedIps: ipRanges(r, 'ADMIN_ALLOWED_IPS'),
    },
    channels: channelsConfig(r),
  };
  if (config.storage.driver === 's3' && !config.storage.s3.bucket) {
    r.problems.push('S3_BUCKET is required when STORAGE_DRIVER=s3');
  }
  if (/[{}]/.test(config.gateway.redisPrefix)) {
    // The first {…} in a key is its Redis Cluster hash tag: the prefix must not hide the keys' own ({rl}, {rc}).
    r.problems.push('GATEWAY_REDIS_PREFIX must not contain { or }');
  }
  if (config.databaseReplicaUrls.length > 0 && !config.databaseUrl) {
    r.problems.push('DATABASE_REPLICA_URLS needs DATABASE_URL (the primary) to be set');
  }
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(config.natsStream)) {
    r.problems.push(`NATS_STREAM must be letters, digits, - or _ (got "${config.natsStream}")`);
  }
  if (nodeEnv === 'production') {
    // Generated secrets are a development convenience; in production they would
    // silently change on a fresh disk and lock everyone out of their data.
    if (!config.encryptionKeys) r.problems.push('ENCRYPTION_KEYS is required when NODE_ENV=production');
    if (!config.jwtSigningKeys) r.problems.push('JWT_SIGNING_KEYS is required when NODE_ENV=production');
  }
  return config;
}

/**
 * Each module's configuration section, declared by the module in its own
 * `config.ts` by augmenting this interface (`auth: AuthConfig`), so
 * `platform.config.auth` is typed without the platform naming a module.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging in modules
export interface ModuleConfigs {}

/** The whole configuration a process runs with: the platform's, plus every module's section. */
export type Config = PlatformConfig & ModuleConfigs;

/** How a module reads its section from the environment (after the platform's part is read). */
export interface ConfigSection<K extends keyof ModuleConfigs = keyof ModuleConfigs> {
  key: K;
  parse(r: EnvReader, platform: PlatformConfig): ModuleConfigs[K];
}

/** Declares a module's config section; `key` is checked against what the module declared in ModuleConfigs. */
export function configSection<K extends keyof ModuleConfigs>(
  key: K,
  parse: (r: EnvReader, platform: PlatformConfig) => ModuleConfigs[K],
): ConfigSection<K> {
  return { key, parse };
}
