import pino, { type Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { type Broadcast, type BroadcastOptions, createBroadcast } from './broadcast.ts';
import { type Bus, createBus } from './bus/bus.ts';
import { type Cache, createCache } from './cache/index.ts';
import type { Config } from './config.ts';
import { createDatabase, type Database, pingDatabase, replicaState } from './db/database.ts';
import { createResponseCache, type ResponseCache } from './gateway/response-cache/index.ts';
import { createJobs, type Jobs } from './jobs/jobs.ts';
import { createMetricsRegistry, registerPoolGauges } from './observability/metrics.ts';
import type { ReadinessCheck } from './readiness.ts';
import { persistedSecret } from './security/dev-secrets.ts';
import {
  createFieldEncryption,
  type FieldEncryption,
  generateKeySpec,
  parseKeyRing,
} from './security/field-encryption.ts';
import { createStorage, type Storage } from './storage/index.ts';

export type { ReadinessCheck } from './readiness.ts';

/**
 * The infrastructure one process shares between its modules. Built once at
 * start (or once per test file) and passed explicitly; nothing is global.
 */
export interface Platform {
  config: Config;
  database: Database;
  cache: Cache;
  /** The gateway's response cache; modules call `responseCache.invalidate(tags)` after writes. */
  responseCache: ResponseCache;
  encryption: FieldEncryption;
  metrics: Registry;
  storage: Storage;
  readiness: ReadinessCheck[];
  /** Event bus: modules register consumers in their `worker` hook. */
  bus: Bus;
  /** Job runner: modules define jobs in their `worker` hook; `schedule()` enqueues them. */
  jobs: Jobs;
  /**
   * Opens a channel that every process of the deployment hears (Redis pub/sub,
   * or NOTIFY on the shared database: broadcast.ts), closed with the platform.
   */
  broadcast(options: BroadcastOptions): Broadcast;
  /** Resources to release on shutdown, last-in first-out. */
  onClose(release: () => Promise<void>): void;
  close(): Promise<void>;
}

export async function createPlatform(config: Config, databaseUrl: string, log?: Logger): Promise<Platform> {
  const keySpec =
    config.encryptionKeys ??
    (await persistedSecret(config.dataDir, 'encryption-keys', () => generateKeySpec('dev1')));
  const encryption = createFieldEncryption(parseKeyRing(keySpec));
  const metrics = createMetricsRegistry();
  const reads = new Counter({
    name: 'db_reader_connections_total',
    help: 'Connections taken by database.reader, by where they went (replica, or primary for read-your-writes)',
    labelNames: ['target'],
    registers: [metrics],
  });
  const database = createDatabase({
    url: databaseUrl,
    poolMax: config.databasePoolMax,
    replicaUrls: config.databaseReplicaUrls,
    onRead: (target) => reads.inc({ target }),
    preparedStatements: config.databasePreparedStatements,
  });
  // LISTEN, the job runner and anything else that keeps state in its session
  // need a real connection to the primary, not one behind PgBouncer in
  // transaction pooling (docs/replicas-and-cluster.md).
  const directUrl = config.databaseDirectUrl ?? databaseUrl;
  const cache = createCache(config.redis);
  const storage = await createStorage(config);
  registerPoolGauges(metrics, database.pool);
  const responseCache = createResponseCache(config, metrics, log, { url: directUrl, pool: database.pool });

  const readiness: ReadinessCheck[] = [{ name: 'database', check: () => pingDatabase(database.pool) }];
  for (const replica of database.replicas) {
    readiness.push({
      name: `database:${replica.name}`,
      optional: true,
      check: () => replicaState(replica.pool),
    });
  }
  if (cache.kind === 'redis') readiness.push({ name: 'redis', check: () => cache.ping() });

  const workerLog = log ?? pino({ level: 'silent' });
  const bus = await createBus({
    database,
    databaseUrl: directUrl,
    registry: metrics,
    log: workerLog,
    natsUrl: config.natsUrl,
    natsStream: config.natsStream,
    natsStreamReplicas: config.natsStreamReplicas,
    ackWaitMs: config.busAckWaitMs,
    tuning: {
      concurrency: config.busConcurrency,
      idlePollMs: config.busIdlePollMs,
      gatherMs: config.busGatherMs,
    },
  });
  readiness.push(...bus.readiness);
  const jobs = createJobs({
    database,
    databaseUrl: directUrl,
    registry: metrics,
    log: workerLog,
    concurrency: config.jobsConcurrency,
    pollIntervalMs: config.jobsPollIntervalMs,
  });

  const releases: Array<() => Promise<void>> = [
    () => database.close(),
    () => cache.close(),
    () => bus.close(),
    () => responseCache.close(),
  ];
  if (storage.kind === 's3') releases.push(async () => storage.close());
  let closing: Promise<void> | undefined;
  return {
    config,
    database,
    cache,
    responseCache,
    encryption,
    metrics,
    storage,
    readiness,
    bus,
    jobs,
    broadcast(options) {
      const channel = createBroadcast(config.redis, { url: directUrl, pool: database.pool }, options);
      releases.push(() => channel.close());
      return channel;
    },
    onClose(release) {
      releases.push(release);
    },
    close() {
      closing ??= (async () => {
        for (const release of releases.reverse()) {
          await release().catch((error: unknown) =>
            log?.error({ err: error }, 'error while releasing a resource'),
          );
        }
      })();
      return closing;
    },
  };
}
