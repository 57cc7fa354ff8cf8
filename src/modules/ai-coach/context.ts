import type { Platform } from '../../platform/platform.ts';
import type { CoachConfig } from './config.ts';
import type { CoachDeps } from './deps.ts';
import { createGateway, type Gateway, type LanguageModel } from './gateway.ts';
import { offlineModel } from './offline-coach.ts';
import { anthropicModel, openaiModel } from './providers.ts';
import { sourcesFor } from './retrieval.ts';
import type { CoachDb } from './tables.ts';

export interface CoachContext {
  platform: Platform;
  db: CoachDb;
  deps: CoachDeps;
  config: CoachConfig;
  gateway: Gateway;
}

/** One gateway (and so one circuit breaker per provider) per platform, shared by routes and services. */
const gateways = new WeakMap<Platform, Gateway>();

function gatewayFor(platform: Platform, deps: CoachDeps): Gateway {
  let gateway = gateways.get(platform);
  if (!gateway) {
    const config = platform.config.aiCoach;
    const models: LanguageModel[] = config.providers.map((name) =>
      name === 'openai'
        ? openaiModel(config)
        : name === 'anthropic'
          ? anthropicModel(config)
          : offlineModel((text) => sourcesFor(platform, deps, text)),
    );
    gateway = createGateway(models, config);
    gateways.set(platform, gateway);
  }
  return gateway;
}

export function coachContext(platform: Platform, deps: CoachDeps): CoachContext {
  return {
    platform,
    db: platform.database.db as CoachDb,
    deps,
    config: platform.config.aiCoach,
    gateway: gatewayFor(platform, deps),
  };
}
