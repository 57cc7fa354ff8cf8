import type { AppModule } from '../../platform/module.ts';
import { COUPLES_EVENTS } from './events.ts';
import { COUPLES_JOBS } from './jobs.ts';
import { migrations } from './migrations/index.ts';
import { couplesPersonalData } from './personal-data.ts';
import { couplesRoutes } from './routes.ts';
import { purgeClosedCouples } from './service.ts';
import type { CouplesDb } from './tables.ts';

/**
 * The couples module: invites, linking, the couple's details and unlinking.
 * Other modules import only this file: `partnerOf` and `assertSameCouple`
 * (with `activeCoupleOf`) answer "who is this user's partner" and "may this
 * user touch this couple's data"; `coupleDatesOf` gives its start and anniversary.
 */
export {
  type ActiveCouple,
  activeCoupleOf,
  assertSameCouple,
  type CoupleDates,
  coupleDatesOf,
  lockActiveCouples,
  partnerOf,
  type ReadOnlyCouple,
  readOnlyCouplesOf,
} from './access.ts';
export { cachedActiveCoupleOf, coupleTag } from './cache.ts';
export { purgeClosedCouples };

export const couplesModule: AppModule = {
  name: 'couples',
  tablePrefix: 'couples_',
  migrations,
  events: COUPLES_EVENTS,
  jobs: COUPLES_JOBS,
  personalData: couplesPersonalData,
  async routes(app, { platform }) {
    await app.register(couplesRoutes, { ctx: { platform, db: platform.database.db as CouplesDb } });
  },
  async worker(platform) {
    // Closed couples are purged within an hour after their read-only period ends; idempotent.
    platform.jobs.define('couples.purge', async () => {
      await purgeClosedCouples(platform.database.db as CouplesDb);
    });
    platform.jobs.recurring({ name: 'couples.purge', everyMs: 60 * 60_000, payload: {} });
    return async () => {};
  },
};
