import type { AppModule } from '../index.ts';
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

// Closed couples are purged within this long after their read-only period ends.
const PURGE_EVERY_MS = 60 * 60_000;

export const couplesModule: AppModule = {
  name: 'couples',
  personalData: couplesPersonalData,
  async routes(app, { platform }) {
    await app.register(couplesRoutes, { ctx: { platform, db: platform.database.db as CouplesDb } });
  },
  // A failed sweep is simply tried again on the next tick; the work is idempotent.
  async worker(platform) {
    const db = platform.database.db as CouplesDb;
    let running = purgeClosedCouples(db).then(
      () => {},
      () => {},
    );
    const timer = setInterval(() => {
      running = running
        .then(() => purgeClosedCouples(db))
        .then(
          () => {},
          () => {},
        );
    }, PURGE_EVERY_MS);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await running;
    };
  },
};
