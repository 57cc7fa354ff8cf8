import type { EventEnvelope, EventType } from './events.ts';

/** The columns of an outbox row that make up the event envelope. */
export interface OutboxEventRow {
  id: string;
  type: string;
  version: number;
  occurred_at: Date | string;
  actor_id: string | null;
  couple_id: string | null;
  data: unknown;
}

export function envelopeFromRow(row: OutboxEventRow): EventEnvelope {
  return {
    id: row.id,
    type: row.type as EventType,
    version: row.version,
    occurredAt: new Date(row.occurred_at).toISOString(),
    actorId: row.actor_id,
    coupleId: row.couple_id,
    data: row.data as EventEnvelope['data'],
  };
}

/** How many unrelayed rows one relay pass takes; also the batch it commits at once. */
export const RELAY_BATCH = 500;
