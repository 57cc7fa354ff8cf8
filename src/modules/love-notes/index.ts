import type { Static } from 'typebox';
import type { EventEnvelope, EventMap } from '../../platform/bus/events.ts';
import type { HandlerTransaction } from '../../platform/bus/types.ts';
import { cachedRouteReader } from '../../platform/gateway/response-cache/reader.ts';
import type { AuthUser } from '../../platform/http/auth-context.ts';
import { schedule } from '../../platform/jobs/schedule.ts';
import type { AppModule } from '../../platform/module.ts';
import type { Platform } from '../../platform/platform.ts';
import { hubFor } from '../../platform/realtime/live-hub.ts';
import { outcomesIn, recordOutcomes } from './channel-outcomes.ts';
import { onCouplePurged, onCoupleUnlinked } from './closed-couples.ts';
import { loveNotesConfig } from './config.ts';
import { type LiveSink, NO_LIVE, type NotesContext } from './context.ts';
import { deliverDue, deliverNote } from './delivery.ts';
import { defaultDeps, type LoveNotesDeps } from './dependencies.ts';
import { LOVE_NOTES_EVENTS } from './events.ts';
import { LOVE_NOTES_JOBS } from './jobs.ts';
import { LOVE_NOTES_LIVE, liveSink } from './live.ts';
import { missedSince } from './live-resume.ts';
import { migrations } from './migrations/index.ts';
import { upkeepNotePartitions } from './partitions.ts';
import { loveNotesPersonalData } from './personal-data.ts';
import { listNotes } from './queries.ts';
import { loveNotesRoutes } from './routes.ts';
import type { ListNotesQuery, SendNoteBody } from './schemas.ts';
import { sendNote } from './service.ts';
import type { NotesDb, NotesTrx } from './tables.ts';

// notification.delivery-updated is no longer published (one notification.deliveries-updated per
// notification carries its channels); still consumed, so events written before the change are filed.
const LOVE_NOTES_CONSUMED = [
  'couple.unlinked',
  'couple.purged',
  'notification.deliveries-updated',
  'notification.delivery-updated',
] as const;
type LoveNotesConsumed = (typeof LOVE_NOTES_CONSUMED)[number];

/** The channel outcomes an event carries, none for an event of another type. */
function outcomesOf(event: EventEnvelope<LoveNotesConsumed>): EventMap['notification.delivery-updated'][] {
  if (event.type === 'notification.deliveries-updated')
    return outcomesIn(event.data as EventMap['notification.deliveries-updated']);
  if (event.type === 'notification.delivery-updated')
    return [event.data as EventMap['notification.delivery-updated']];
  return [];
}
const isOutcome = (event: EventEnvelope<LoveNotesConsumed>) =>
  event.type === 'notification.deliveries-updated' || event.type === 'notification.delivery-updated';

/**
 * Love notes: send now or later, recurring series, templates, read receipts,
 * reactions, favourites and the delivery timeline. Other modules import only
 * this file.
 */
export type { LoveNotesDeps } from './dependencies.ts';
export { ListNotesQuery, NOTE_STATUSES, SendNoteBody } from './schemas.ts';
export type { NoteView } from './view.ts';

export function notesContext(
  platform: Platform,
  deps: LoveNotesDeps,
  live: LiveSink = NO_LIVE,
): NotesContext {
  const { db } = platform.database;
  return { platform, db: db as NotesDb, reader: cachedRouteReader(platform) as NotesDb, deps, live };
}

/**
 * Sending and listing notes exactly as REST does them, for another API
 * surface: GraphQL. Input must already match the REST schemas
 * (`SendNoteBody`, `ListNotesQuery`); live pushes go through this process's hub.
 */
export function loveNotesService(platform: Platform, deps: LoveNotesDeps = defaultDeps) {
  const ctx = notesContext(platform, deps, liveSink(hubFor(platform)));
  return {
    send: (user: AuthUser, input: Static<typeof SendNoteBody>) => sendNote(ctx, user, input),
    list: (user: AuthUser, query: Static<typeof ListNotesQuery>) => listNotes(ctx, user, query),
  };
}
export type LoveNotesService = ReturnType<typeof loveNotesService>;

export function createLoveNotesModule(deps: LoveNotesDeps = defaultDeps): AppModule {
  return {
    name: 'love-notes',
    tablePrefix: 'love_notes_',
    migrations,
    events: LOVE_NOTES_EVENTS,
    jobs: LOVE_NOTES_JOBS,
    config: loveNotesConfig,
    personalData: loveNotesPersonalData,
    live: {
      types: LOVE_NOTES_LIVE,
      replay: (platform, userId, since) => missedSince(notesContext(platform, deps), userId, since),
    },
    async routes(app, { platform }) {
      const ctx = notesContext(platform, deps, liveSink(hubFor(platform)));
      await app.register(loveNotesRoutes, { ctx });
    },
    async worker(platform) {
      const ctx = notesContext(platform, deps, liveSink(hubFor(platform)));
      const handle = async (event: EventEnvelope<LoveNotesConsumed>, trx: HandlerTransaction) => {
        if (isOutcome(event)) {
          // How each channel carried a note to its recipient, for GET /love-notes/{id}/deliveries.
          await recordOutcomes(trx as NotesTrx, outcomesOf(event));
          return;
        }
        if (event.type === 'couple.unlinked') {
          // Whatever either partner had scheduled is cancelled; the history stays readable.
          await onCoupleUnlinked(ctx, event as EventEnvelope<'couple.unlinked'>, trx as NotesTrx);
          return;
        }
        await onCouplePurged(ctx, event as EventEnvelope<'couple.purged'>, trx as NotesTrx);
      };
      platform.bus.consume('love-notes', [...LOVE_NOTES_CONSUMED], handle, undefined, {
        // Under load most events are channel outcomes: filed in one statement per batch.
        batch: async (events, trx) => {
          await recordOutcomes(trx as NotesTrx, events.flatMap(outcomesOf));
          for (const event of events) if (!isOutcome(event)) await handle(event, trx);
        },
      });
      // Month partitions ahead of the inserts: at start, then daily. A failure at
      // start (a lock timeout) leaves it to a keyed job, which retries with backoff.
      platform.jobs.define('love-note.partitions', async () => {
        await upkeepNotePartitions(platform);
      });
      platform.jobs.recurring({ name: 'love-note.partitions', cron: '7 0 * * *', payload: {} });
      await upkeepNotePartitions(platform).catch(() =>
        schedule(platform.database.db, {
          name: 'love-note.partitions',
          payload: {},
          key: 'love-note.partitions',
        }),
      );
      platform.jobs.define('love-note.deliver', async ({ coupleId, noteId }) => {
        await deliverNote(ctx, coupleId, noteId);
      });
      // A backstop: each scheduled note has its own delivery job, but a job
      // held by a worker that was killed stays locked for hours; the sweep
      // delivers such notes (the job later finds them delivered and does nothing).
      platform.jobs.define('love-note.sweep', async () => {
        // Drain whatever is due, then wait for the next period.
        while ((await deliverDue(ctx)) > 0) {}
      });
      platform.jobs.recurring({
        name: 'love-note.sweep',
        everyMs: platform.config.loveNotes.sweepMs,
        payload: {},
      });
      return async () => {};
    },
  };
}

export { deliverDue, deliverNote };
