import type { FastifyBaseLogger } from 'fastify';

/**
 * Work that runs after the request's transaction committed (export, erasure).
 * This stands in for the jobs platform until it is on main: the work itself
 * is a plain service function a job can call. Tasks are tracked so shutdown
 * (and tests) can wait for them.
 */
export interface Background {
  run(name: string, task: () => Promise<void>): void;
  idle(): Promise<void>;
}

export function createBackground(log: FastifyBaseLogger): Background {
  const running = new Set<Promise<void>>();
  return {
    run(name, task) {
      const promise = Promise.resolve()
        .then(task)
        .catch((error: unknown) => log.error({ err: error, task: name }, 'background task failed'))
        .finally(() => running.delete(promise));
      running.add(promise);
    },
    async idle() {
      while (running.size > 0) await Promise.all([...running]);
    },
  };
}
