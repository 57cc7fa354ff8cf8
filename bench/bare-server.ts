import Fastify from 'fastify';

/**
 * The yardstick: the smallest Fastify app that answers the same JSON shape.
 * Every scenario is reported as a ratio to this route, measured in the same run.
 */
const app = Fastify({ logger: false });
app.get('/bare', async () => ({ status: 'ok' }));
const port = Number(process.argv[2] ?? 0);
const address = await app.listen({ port, host: '127.0.0.1' });
process.stdout.write(`${address}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
