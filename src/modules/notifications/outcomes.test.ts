import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EventEnvelope } from '../../platform/bus/events.ts';
import { newId } from '../../platform/ids.ts';
import { outcomeEvents } from './outcomes.ts';
import type { Channel } from './tables.ts';
import { dueKeys } from './worker.ts';

const at = new Date('2026-12-03T10:00:00Z');
const delivery = (notificationId: string, channel: Channel, kind = 'love-note.received') => ({
  user_id: 'u1',
  id: newId(),
  notification_id: notificationId,
  channel,
  kind,
  data: { noteId: 'n1', coupleId: 'c1' },
});

describe('outcome events', () => {
  it('announces every channel of one notification in one event, and nothing of untracked kinds', () => {
    const first = newId();
    const second = newId();
    const changes = [
      { delivery: delivery(first, 'in_app'), status: 'delivered' as const, at },
      { delivery: delivery(first, 'web_push'), status: 'suppressed' as const, reason: 'no-target', at },
      { delivery: delivery(second, 'email'), status: 'pending' as const, at },
      { delivery: delivery(first, 'email'), status: 'pending' as const, reason: null, at },
      { delivery: delivery(newId(), 'in_app', 'couple.linked'), status: 'delivered' as const, at },
    ];
    const events = outcomeEvents(changes).map((e) => e.event);
    assert.deepEqual(
      events.map((e) => [e.type, e.data.notificationId, e.data.deliveries.map((d) => d.channel)]),
      [
        ['notification.deliveries-updated', first, ['in_app', 'web_push', 'email']],
        ['notification.deliveries-updated', second, ['email']],
      ],
    );
    const [one] = events;
    assert.equal(one!.data.at, at.toISOString());
    assert.deepEqual(one!.data.data, { noteId: 'n1', coupleId: 'c1' });
    assert.deepEqual(one!.data.deliveries[1], {
      deliveryId: changes[1]!.delivery.id,
      channel: 'web_push',
      status: 'suppressed',
      reason: 'no-target',
    });
    assert.deepEqual(outcomeEvents([]), []);
  });
});

describe('due deliveries of an event', () => {
  const envelope = <T extends 'notification.created' | 'notification.deliveries-due'>(
    type: T,
    data: EventEnvelope<T>['data'],
  ): EventEnvelope<T> => ({
    id: newId(),
    type,
    version: 1,
    occurredAt: at.toISOString(),
    actorId: null,
    coupleId: null,
    data,
  });
  const created = {
    notificationId: 'x',
    userId: 'u1',
    kind: 'love-note.received',
    category: 'love-notes',
    title: 't',
    body: 'b',
    data: {},
  };

  it('reads them from notification.created, and from the older notification.deliveries-due', () => {
    assert.deepEqual(
      dueKeys(envelope('notification.created', { ...created, dueDeliveryIds: ['d1', 'd2'] })),
      [
        { userId: 'u1', deliveryId: 'd1' },
        { userId: 'u1', deliveryId: 'd2' },
      ],
    );
    assert.deepEqual(
      dueKeys(
        envelope('notification.deliveries-due', { notificationId: 'x', userId: 'u2', deliveryIds: ['d3'] }),
      ),
      [{ userId: 'u2', deliveryId: 'd3' }],
    );
  });

  it('finds none in a notification.created written before it carried them', () => {
    assert.deepEqual(dueKeys(envelope('notification.created', created)), []);
  });
});
