import type { Migrations } from '../../../platform/db/migrator.ts';
import * as mLoveNotes from './20261125T1110_love_notes.ts';
import * as mLoveNotesChannelOutcomes from './20261125T1200_love_notes_channel_outcomes.ts';
import * as mLoveNotesPartitioned from './20261125T1230_love_notes_partitioned.ts';
import * as mLoveNotesOutcomesKeyless from './20261204T1400_love_notes_outcomes_keyless.ts';

/** The migrations of the love-notes module, in this folder only; names start with a UTC timestamp that orders them globally. */
export const migrations: Migrations = {
  '20261125T1110_love_notes': mLoveNotes,
  '20261125T1200_love_notes_channel_outcomes': mLoveNotesChannelOutcomes,
  '20261125T1230_love_notes_partitioned': mLoveNotesPartitioned,
  '20261204T1400_love_notes_outcomes_keyless': mLoveNotesOutcomesKeyless,
};
