import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from '../platform/platform.ts';

/**
 * A bounded context. `MODULES` picks which ones a process mounts, so the
 * design's service split is a deployment choice, not a fork.
 */
export interface AppModule {
  name: string;
  routes?: FastifyPluginAsync<{ platform: Platform }>;
  /** Starts the module's consumers and jobs in a worker; returns a stop function. */
  worker?: (platform: Platform) => Promise<() => Promise<void>>;
}

export const MODULES: AppModule[] = [];

export function modulesFor(selection: string[] | 'all'): AppModule[] {
  if (selection === 'all') return MODULES;
  const unknown = selection.filter((name) => !MODULES.some((m) => m.name === name));
  if (unknown.length > 0) throw new Error(`MODULES names unknown modules: ${unknown.join(', ')}`);
  return MODULES.filter((m) => selection.includes(m.name));
}
