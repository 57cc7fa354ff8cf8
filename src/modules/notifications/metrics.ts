import { Counter, Histogram, type Registry } from 'prom-client';

export interface NotificationMetrics {
  created: Counter<'category'>;
  deliveries: Counter<'channel' | 'outcome'>;
  /** From when a delivery was due to when a worker attempted it. */
  queueLag: Histogram<'channel'>;
}

export function createNotificationMetrics(registry: Registry): NotificationMetrics {
  const existing = registry.getSingleMetric('notifications_created_total');
  if (existing) {
    // One registry per process; a second app in the same process (tests) reuses the metrics.
    return {
      created: existing as Counter<'category'>,
      deliveries: registry.getSingleMetric('notifications_deliveries_total') as Counter<
        'channel' | 'outcome'
      >,
      queueLag: registry.getSingleMetric('notifications_queue_lag_seconds') as Histogram<'channel'>,
    };
  }
  return {
    created: new Counter({
      name: 'notifications_created_total',
      help: 'Notifications created from events, by category',
      labelNames: ['category'],
      registers: [registry],
    }),
    deliveries: new Counter({
      name: 'notifications_deliveries_total',
      help: 'Delivery attempts by channel and outcome (sent, retry, failed, suppressed, pruned)',
      labelNames: ['channel', 'outcome'],
      registers: [registry],
    }),
    queueLag: new Histogram({
      name: 'notifications_queue_lag_seconds',
      help: 'From a delivery being due to its attempt starting',
      labelNames: ['channel'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
  };
}
