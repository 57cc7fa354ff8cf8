// The image's HEALTHCHECK: GET /health on this container, exit 0 on 200, else 1.
// The API listens on PORT; a worker answers on WORKER_METRICS_PORT (set HEALTHCHECK_PORT to it).
const port = process.env.HEALTHCHECK_PORT ?? process.env.PORT ?? '3000';
const path = process.env.HEALTHCHECK_PATH ?? '/health';
const url = `http://127.0.0.1:${port}${path}`;

try {
  const response = await fetch(url, { signal: AbortSignal.timeout(4000) });
  if (response.status !== 200) {
    process.stderr.write(`${url} answered ${response.status}\n`);
    process.exit(1);
  }
  process.exit(0);
} catch (error) {
  process.stderr.write(`${url} failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
