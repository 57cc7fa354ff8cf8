import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../platform/platform.ts';

/**
 * The scope catalogue is what routes accept: every `config.apiKeyScope`
 * registered in this process, with the routes that name it. A key may only
 * be given scopes that some route takes, so a typo cannot mint a key that
 * silently does nothing.
 */
export type ScopeCatalogue = Map<string, string[]>;

const catalogues = new WeakMap<Platform, ScopeCatalogue>();

export function catalogueOf(platform: Platform): ScopeCatalogue {
  let catalogue = catalogues.get(platform);
  if (!catalogue) {
    catalogue = new Map();
    catalogues.set(platform, catalogue);
  }
  return catalogue;
}

/** Collects scopes from every route registered after this (the module's global plugin runs before any route). */
export function collectScopes(app: FastifyInstance, catalogue: ScopeCatalogue): void {
  app.addHook('onRoute', (route) => {
    const scope = route.config?.apiKeyScope;
    if (scope === undefined) return;
    const methods = [route.method].flat().filter((m) => m !== 'HEAD');
    const routes = catalogue.get(scope) ?? [];
    for (const method of methods) routes.push(`${method} ${route.url}`);
    catalogue.set(scope, routes);
  });
}
