import { validationError } from '../../platform/http/errors.ts';
import { type IdempotentAnswer, recordAnswer } from '../../platform/http/idempotency.ts';
import { newId } from '../../platform/ids.ts';
import type { UsersContext } from './context.ts';
import type { ConsentInput, ConsentType } from './schemas.ts';
import { activeProfile } from './service.ts';
import type { UsersDb } from './tables.ts';

/**
 * Consent is an append-only history: each decision is a row with its time and
 * IP, and the current state per type is the newest row. Terms and privacy can
 * only be accepted in their current version; registration (auth) records the
 * terms through `recordConsent` and checks `hasCurrentConsent`.
 */
export const CURRENT_VERSIONS: Partial<Record<ConsentType, string>> = {
  terms: '2026-01',
  privacy: '2026-01',
};

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
  userId: string,
  input: ConsentInput,
  origin: { ip: string | null; userAgent: string | null },
) {
  const current = CURRENT_VERSIONS[input.type];
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

export async function hasCurrentConsent(db: UsersDb, userId: string, type: ConsentType): Promise<boolean> {
  const [latest] = (await consentHistory(db, userId)).filter((c) => c.type === type);
  return (
    !!latest?.granted && (CURRENT_VERSIONS[type] === undefined || latest.version === CURRENT_VERSIONS[type])
  );
}

export async function getConsents(ctx: UsersContext, userId: string) {
  await activeProfile(ctx, userId);
  const history = await consentHistory(ctx.db, userId);
  const seen = new Set<string>();
  const current = history.filter((c) => !seen.has(c.type) && seen.add(c.type));
  return { current, history, required: CURRENT_VERSIONS as Record<string, string> };
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
    const consent = await recordConsent(trx, userId, input, origin);
    if (idempotency) await recordAnswer(trx, idempotency, 201, consent);
    return consent;
  });
}
