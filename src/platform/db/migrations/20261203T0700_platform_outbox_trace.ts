import type { Kysely } from 'kysely';

// The W3C trace context (traceparent, tracestate) of the request or job that
// wrote the event, so its consumers' spans continue the same trace. Null when
// tracing is off.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('outbox_events').addColumn('trace_context', 'jsonb').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('outbox_events').dropColumn('trace_context').execute();
}
