import type { AppModule } from '../../platform/module.ts';
import { apiKeysAdminRoutes } from './admin-routes.ts';
import { apiKeysConfig } from './config.ts';
import { apiKeysContext } from './context.ts';
import { apiKeysGlobal } from './hooks.ts';
import { migrations } from './migrations/index.ts';
import { apiKeysPersonalData } from './personal-data.ts';

/**
 * API keys for server-to-server clients (docs/gateway.md): made, rotated and
 * revoked by admins under /v1/admin/api-keys; checked in every API process by
 * the global hook; a route accepts keys by naming a scope (`config.apiKeyScope`).
 */
export const apiKeysModule: AppModule = {
  name: 'api-keys',
  tablePrefix: 'api_keys_',
  migrations,
  config: apiKeysConfig,
  personalData: apiKeysPersonalData,
  global: apiKeysGlobal,
  async admin(app, { platform }) {
    await app.register(apiKeysAdminRoutes, { ctx: apiKeysContext(platform, app.log) });
  },
};
