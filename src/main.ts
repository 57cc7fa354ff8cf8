import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from './app.ts';
import { type Config, loadConfigOrExit } from './config.ts';
import { migrations } from './migrations.ts';
import { modulesFor } from './modules/index.ts';
import { createDatabase } from './platform/db/database.ts';
import { startEmbeddedPostgres } from './platform/db/embedded.ts';
import { migrateToLatest } from './platform/db/migrator.ts';
import { autovacuumIsOff } from './platform/db/queue-tables.ts';
import { migrateJobs } from './platform/jobs/migrate.ts';
import { loggerOptions, prettyLogs } from './platform/observability/logger.ts';
import { startMetricsServer } from './platform/observability/metrics-server.ts';
import { flushTraces } from './platform/observability/tracing.ts';
import { createPlatform } from './platform/platform.ts';
import { startWorker } from './platform/worker.ts';

/**
 * `start` (default): migrate, then API and worker in one process.
 * `serve`: API only. `worker`: consumers and jobs only. `migrate`: migrate and exit.
 */
type Command = 'start' | 'serve' | 'worker' | 'migrate';
const COMMANDS: Command[] = ['start', 'serve', 'worker', 'migrate'];

const cleanups: Array<() => Promise<void>> = [];

async function runCleanups(onError: (error: unknown) => void): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(onError);
}

async function main(): Promise<void> {
  const command = (process.argv[2] ?? 'start') as Command;
  if (!COMMANDS.includes(command)) {
    process.stderr.write(`Unknown command "${command}". Use one of: ${COMMANDS.join(', ')}\n`);
    process.exit(2);
  }
  const config = loadConfigOrExit();
  const log = pino(loggerOptions(config.logLevel, prettyLogs(config)));
  // First in, so it runs last on shutdown: sends the spans of everything that stopped before it.
  cleanups.push(flushTraces);
  let shuttingDown = false;

  const shutdown = async (signal: string) => {
    if (shuttingDown) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    shuttingDown = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs + 30_000);
    force.unref();
    await runCleanups((error) => log.error({ err: error }, 'shutdown step failed'));
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    const embedded = await startEmbeddedPostgres({
      dataDir: path.join(config.dataDir, 'postgres'),
      port: config.embeddedPostgresPort,
      log: (message) => log.info(message),
    });
    cleanups.push(() => embedded.stop());
    databaseUrl = embedded.url;
  }

  if (command === 'start' || command === 'migrate') {
    // DDL and graphile-worker's installer run on a direct connection, not through PgBouncer.
    const migrateUrl = config.databaseDirectUrl ?? databaseUrl;
    const { db, close } = createDatabase({ url: migrateUrl, poolMax: 1, applicationName: 'migrate' });
    log.info('migrating the database');
    try {
      const applied = await migrateToLatest(db, migrations);
      await migrateJobs(migrateUrl);
      log.info({ applied }, applied.length > 0 ? 'migrations applied' : 'database is up to date');
    } finally {
      await close();
    }
    if (command === 'migrate') return shutdown('done');
  }

  const platform = await createPlatform(config, databaseUrl, log);
  cleanups.push(() => platform.close());

  if (command === 'start' || command === 'worker') {
    for (const module of modulesFor(config.modules)) {
      if (module.worker) cleanups.push(await module.worker(platform));
    }
    // After the modules registered their consumers and jobs; stops first on shutdown.
    cleanups.push(await startWorker(platform));
    if (await autovacuumIsOff(platform.database.db)) {
      log.warn(
        "autovacuum is off on this PostgreSQL server: the queue tables' own autovacuum settings do nothing, so their dead rows grow and the worker's claims slow down until a manual VACUUM",
      );
    }
    if (command === 'worker' && config.workerMetricsPort !== undefined) {
      const metrics = await startMetricsServer(
        platform.metrics,
        config.workerMetricsPort,
        config.host,
        config.metricsToken,
        platform.readiness,
      );
      cleanups.push(() => metrics.close());
      log.info({ port: metrics.port }, 'worker metrics at /metrics, probes at /health and /ready');
    }
  }

  if (command === 'start' || command === 'serve') {
    const app = await buildApp(platform);
    // Registered after the worker so it closes first: stop taking requests, finish in-flight ones.
    cleanups.push(() => app.close());
    await app.listen({ port: config.port, host: config.host });
    log.info(`listening at ${listeningUrl(config, app)} (API docs at /docs)`);
  } else if (command === 'worker') {
    log.info('worker running: consumers and jobs');
  }
}

/** Where a person on this machine reaches the API (0.0.0.0 and :: mean every interface). */
function listeningUrl(config: Config, app: FastifyInstance): string {
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = ['0.0.0.0', '::', ''].includes(config.host) ? 'localhost' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

main().catch(async (error: unknown) => {
  process.stderr.write(
    `Failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  // Whatever did start (the embedded database above all) is stopped, not orphaned.
  await runCleanups(() => {});
  process.exit(1);
});
