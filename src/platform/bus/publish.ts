import type { Kysely, Transaction } from 'kysely';
import { newId } from '../ids.ts';
import type { EventEnvelope, EventMap, EventType } from './events.ts';

/** Anything that can run the insert: a transaction in domain code, the db in tests. */
// biome-ignore lint/suspicious/noExplicitAny: modules pass their own typed Kysely/Transaction
export type Executor = Kysely<any> | Transaction<any>;

export interface PublishOptions {
  actorId?: string | null;
  coupleId?: string | null;
  version?: number;
}

/**
 * Writes the event to the outbox inside the caller's transaction: a rolled
 * back change publishes nothing, a committed one is relayed even if the
 * process dies right after the commit.
 */
export async function publish<T extends EventType>(
  trx: Executor,
  type: T,
  data: EventMap[T],
  options: PublishOptions = {},
): Promise<EventEnvelope<T>> {
  const event: EventEnvelope<T> = {
    id: newId(),
    type,
    version: options.version ?? 1,
    occurredAt: new Date().toISOString(),
    actorId: options.actorId ?? null,
    coupleId: options.coupleId ?? null,
    data,
  };
  await trx
    .insertInto('outbox_events')
    .values({
      id: event.id,
      type: event.type,
      version: event.version,
      occurred_at: event.occurredAt,
      actor_id: event.actorId,
      couple_id: event.coupleId,
      data: JSON.stringify(event.data),
    })
    .execute();
  return event;
}
