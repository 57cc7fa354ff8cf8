/**
 * A server for bench/gateway.ts, run in its own process so the load generator
 * does not share its event loop. `bare`: a plain Fastify with one route.
 * `app`: the real app (every platform plugin: conventions, helmet, CORS,
 * under-pressure, metrics, rate limits, response cache) with bench routes.
 * Usage: node --import tsx bench/gateway-server.ts bare|app <port>
 * (REDIS_URL set or not picks the gateway's store.)
 */
import Fastify from 'fastify';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createPlatform } from '../src/platform/platform.ts';

const [kind, port] = [process.argv[2], Number(process.argv[3])];
const DATA = {
  items: Array.from({ length: 10 }, (_, i) => ({ id: i, title: `note ${i}`, read: i % 2 === 0 })),
};

async function bare() {
  const app = Fastify();
  app.get('/v1/bench/bare', async () => DATA);
  return app;
}

async function full() {
  const config = loadConfig();
  // The bench routes never query; the pool connects lazily, so no database is needed.
  const platform = await createPlatform(config, config.databaseUrl ?? 'postgres://127.0.0.1:1/none');
  const app = await buildApp(platform);
  await app.register(
    async (routes) => {
      // Stands in for the auth module's token check, whose cost bench/auth.ts measures; a
      // callback hook like the app's own, so the harness adds no promise per request.
      routes.addHook('onRequest', (request, _reply, done) => {
        const id = request.headers['x-bench-user'];
        if (typeof id === 'string') request.user = { id, role: 'user', sessionId: id };
        done();
      });
      routes.get('/bench/limited', async () => DATA);
      routes.get('/bench/unlimited', { config: { rateLimit: false } }, async () => DATA);
      routes.get(
        '/bench/cached',
        { config: { cache: { ttlSeconds: 60, scope: 'private' } } },
        async () => DATA,
      );
    },
    { prefix: '/v1' },
  );
  return app;
}

const app = kind === 'bare' ? await bare() : await full();
await app.listen({ port, host: '127.0.0.1' });
process.stdout.write('listening\n');
process.on('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
