import type { AppModule } from '../../platform/module.ts';
import { flagAdminRoutes } from './admin-routes.ts';
import { featureFlagsConfig } from './config.ts';
import { flagsContext } from './context.ts';
import { FEATURE_FLAG_EVENTS } from './events.ts';
import { migrations } from './migrations/index.ts';
import { flagsPersonalData } from './personal-data.ts';
import { flagRoutes } from './routes.ts';

/**
 * Feature flags through OpenFeature, with a provider backed by our
 * PostgreSQL: kill switches, percentage rollouts stable per user, allow and
 * deny lists; an audited admin API and the caller's evaluated flags for the
 * web app. Other modules get `isEnabled` through the wiring in
 * src/modules/index.ts and import only this file.
 */
export { evaluateAll, isEnabled } from './client.ts';
export { bucketOf } from './rules.ts';

export const featureFlagsModule: AppModule = {
  name: 'feature-flags',
  tablePrefix: 'feature_flags_',
  migrations,
  events: FEATURE_FLAG_EVENTS,
  config: featureFlagsConfig,
  personalData: flagsPersonalData,
  async routes(app, { platform }) {
    await app.register(flagRoutes, { platform });
  },
  async admin(app, { platform }) {
    await app.register(flagAdminRoutes, { ctx: flagsContext(platform) });
  },
};
