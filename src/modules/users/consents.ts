import { sql } from 'kysely';
import type { Config } from '../../platform/config.ts';
import { validationError } from '../../platform/http/errors.ts';
import { type IdempotentAnswer, recordAnswer } from '../../platform/http/idempotency.ts';
import { newId } from '../../platform/ids.ts';
import type { UsersContext } from './context.ts';
import type { ConsentInput, ConsentType } from './schemas.ts';
import { activeProfile } from './service.ts';
import type { UsersDb } from './tables.ts';

/**
 * Consent is an append-only history: each decision is a row with its time and
 * IP, and the current state per type is the newest row. This table is the one
 * record of consent: registration (auth) writes its terms consent here, in its
 * own transaction, through `acceptCurrentTerms` (index.ts). Terms and privacy
 * can only be accepted in their current version.
 */
export type CurrentVersions = Partial<Record<ConsentType, string>>;

/** The privacy notice's version; the terms version is the one setting AUTH_TERMS_VERSION. */
export const PRIVACY_VERSION = '2026-01';

/** What a person can accept now: the terms version registration uses too, so both always agree. */
export function currentVersions(config: Pick<Config, 'auth'>): CurrentVersions {
  return { terms: config.auth.termsVersion, privacy: PRIVACY_VERSION };
}

function present(row: {
  id: string;
  type: string;
  version: string;
  granted: boolean;
  ip: string | null;
  recorded_at: Date;
}) {
  return {
    id: row.id,
    type: row.type,
    version: row.version,
    granted: row.granted,
    ip: row.ip,
    recordedAt: row.recorded_at.toISOString(),
  };
}

export async function recordConsent(
  db: UsersDb,
  versions: CurrentVersions,
  userId: string,
  input: ConsentInput,
  origin: { ip: string | null; userAgent: string | null },
) {
  const current = versions[input.type];
  if (input.granted && current !== undefined && input.version !== current) {
    throw validationError(`${input.type} can only be accepted in its current version ${current}`, 'version');
  }
  const row = await db
    .insertInto('users_consents')
    .values({
      user_id: userId,
      id: newId(),
      type: input.type,
      version: input.version,
      granted: input.granted,
      ip: origin.ip,
      user_agent: origin.userAgent?.slice(0, 512) ?? null,
      recorded_at: new Date(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return present(row);
}

export async function consentHistory(db: UsersDb, userId: string) {
  const rows = await db
    .selectFrom('users_consents')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('recorded_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(present);
}

/**
 * Which of `userIds` hold a current grant of `type` (their latest decision of
 * that type is a grant of the current version), in one statement: the
 * analytics consumer asks this for a whole batch of events.
 */
export async function withCurrentConsent(
  db: UsersDb,
  versions: CurrentVersions,
  userIds: string[],
  type: ConsentType,
): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const { rows } = await sql<{ user_id: string; granted: boolean; version: string }>`
    select distinct on (user_id) user_id, granted, version from users_consents
    where user_id = any(${[...new Set(userIds)]}::uuid[]) and type = ${type}
    order by user_id, recorded_at desc, id desc`.execute(db);
  return new Set(
    rows
      .filter((row) => row.granted && (versions[type] === undefined || row.version === versions[type]))
      .map((row) => row.user_id),
  );
}

export async function hasCurrentConsent(
  db: UsersDb,
  versions: CurrentVersions,
  userId: string,
  type: ConsentType,
): Promise<boolean> {
  const [latest] = (await consentHistory(db, userId)).filter((c) => c.type === type);
  return !!latest?.granted && (versions[type] === undefined || latest.version === versions[type]);
}

export async function getConsents(ctx: UsersContext, userId: string) {
  await activeProfile(ctx, userId);
  const history = await consentHistory(ctx.db, userId);
  const seen = new Set<string>();
  const current = history.filter((c) => !seen.has(c.type) && seen.add(c.type));
  return { current, history, required: currentVersions(ctx.platform.config) as Record<string, string> };
}

export async function giveConsent(
  ctx: UsersContext,
  userId: string,
  input: ConsentInput,
  origin: { ip: string | null; userAgent: string | null },
  /** The request's Idempotency-Key: the answer is recorded in the same transaction as the consent. */
  idempotency?: IdempotentAnswer,
) {
  await activeProfile(ctx, userId);
  return ctx.db.transaction().execute(async (trx) => {
    const consent = await recordConsent(trx, currentVersions(ctx.platform.config), userId, input, origin);
    if (idempotency) await recordAnswer(trx, idempotency, 201, consent);
    return consent;
  });
}
