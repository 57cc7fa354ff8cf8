import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { it } from 'node:test';
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { lazyChildLogger } from './lazy-child-logger.ts';
import { loggerOptions } from './logger.ts';

function capture(level: 'warn' | 'info') {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const parent = pino({ ...loggerOptions(level) }, stream) as unknown as FastifyBaseLogger;
  let children = 0;
  const original = parent.child;
  // pino children inherit from their parent, so this counts every child made below it too.
  parent.child = function (this: FastifyBaseLogger, ...args: Parameters<typeof original>) {
    children++;
    return original.apply(this, args);
  };
  return { parent, lines, children: () => children };
}

it('creates no child for levels that are off, and logs like a pino child otherwise', async () => {
  const { parent, lines, children } = capture('warn');
  const log = lazyChildLogger(parent, { reqId: 'r-1' }, {});
  log.info('not written');
  log.debug({ password: 'x' }, 'not written either');
  assert.equal(children(), 0);
  assert.equal(log.level, 'warn');
  log.warn({ password: 'hunter2' }, 'written');
  log.error('written too');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(children(), 1, 'one child, created on the first enabled call');
  assert.deepEqual(
    lines.map((l) => [l.reqId, l.msg, l.password]),
    [
      ['r-1', 'written', '[redacted]'],
      ['r-1', 'written too', undefined],
    ],
  );
});

it('nests children with both bindings and honours a route log level at once', async () => {
  const { parent, lines, children } = capture('info');
  const nested = lazyChildLogger(parent, { reqId: 'r-2' }, {}).child({ part: 'db' });
  nested.info('nested');
  const before = children();
  const quiet = lazyChildLogger(parent, { reqId: 'r-3' }, { level: 'error' });
  assert.equal(children(), before + 1, 'a route level needs the real child at once');
  quiet.info('dropped by the route level');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(
    lines.map((l) => [l.reqId, l.part, l.msg]),
    [['r-2', 'db', 'nested']],
  );
});
