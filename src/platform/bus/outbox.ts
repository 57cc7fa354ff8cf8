import type { TraceCarrier } from '../observability/tracing.ts';
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
  trace_context?: unknown;
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

/** The trace context stored with an outbox row, if it carries a usable one. */
export function traceFromRow(row: OutboxEventRow): TraceCarrier | null {
  const value = typeof row.trace_context === 'string' ? JSON.parse(row.trace_context) : row.trace_context;
  return value && typeof value === 'object' && typeof (value as TraceCarrier).traceparent === 'string'
    ? (value as TraceCarrier)
    : null;
}
