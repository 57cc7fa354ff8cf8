import type { Platform } from '../../platform/platform.ts';
import type { DeliveryQueue, NotificationsContext } from './context.ts';

/** Replaced by graphile-worker jobs once the platform job runner is on main. */
export const jobsQueue: DeliveryQueue = {
  async enqueue() {},
};

export async function startNotificationsWorker(
  _platform: Platform,
  _ctx: NotificationsContext,
): Promise<() => Promise<void>> {
  return async () => {};
}
