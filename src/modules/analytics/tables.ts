import type { Kysely, Transaction } from 'kysely';

/** Row types of the analytics tables (migrations/). */
export interface EventsTable {
  occurred_at: Date;
  id: string;
  received_at: Date;
  event: string;
  source: 'client' | 'server';
  user_id: string | null;
  couple_id: string | null;
  platform: string | null;
  app_version: string | null;
  country: string | null;
  properties: Record<string, unknown>;
}

export interface AnalyticsTables {
  analytics_events: EventsTable;
  analytics_event_ids: { id: string; received_at: Date };
  analytics_daily_users: { day: string; user_id: string; events: number };
  analytics_first_seen: { user_id: string; first_day: string };
  analytics_active_users: { bucket: 'day' | 'week' | 'month'; period: string; users: number };
  analytics_daily_counts: {
    day: string;
    event: string;
    platform: string;
    app_version: string;
    country: string;
    events: string;
  };
}

export type AnalyticsDb = Kysely<AnalyticsTables>;
export type AnalyticsTrx = Transaction<AnalyticsTables>;
