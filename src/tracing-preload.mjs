// The `--import` preload of the npm scripts and the image: plain JavaScript, because worker
// threads (pino's log transport, embedded PostgreSQL's helpers) inherit the process's --import
// flags without tsx's hooks being active for them yet, and a .ts preload then fails to load.
// They need no tracing: only the main thread loads src/tracing.ts.
import { isMainThread } from 'node:worker_threads';

if (isMainThread) await import('./tracing.ts');
