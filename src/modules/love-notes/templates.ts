import type { Static } from 'typebox';
import type { AuthUser } from '../../platform/http/auth-context.ts';
import { notFound, validationError } from '../../platform/http/errors.ts';
import { type IdempotentAnswer, recordAnswer } from '../../platform/http/idempotency.ts';
import { newId } from '../../platform/ids.ts';
import { forgetTemplates } from './cache.ts';
import { CATALOGUE, catalogueTemplate } from './catalogue.ts';
import type { NotesContext } from './context.ts';
import { anniversaryDay, daysTogether, readableDay } from './couple-days.ts';
import type { CoupleFacts } from './dependencies.ts';
import type { CreateTemplateBody, PatchTemplateBody, Template } from './schemas.ts';
import type { TemplateRow } from './tables.ts';
import { fillVariables, variablesIn } from './variables.ts';

type TemplateView = Static<typeof Template>;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_PERSONAL = 200;

const personalView = (row: TemplateRow): TemplateView => ({
  id: row.id,
  category: row.category,
  title: row.title,
  body: row.body,
  variables: variablesIn(row.body),
  personal: true,
});

export async function listTemplates(
  ctx: NotesContext,
  user: AuthUser,
  category?: string,
): Promise<TemplateView[]> {
  let query = ctx.db.selectFrom('love_notes_templates').selectAll().where('user_id', '=', user.id);
  if (category) query = query.where('category', '=', category);
  const personal = await query.orderBy('created_at').execute();
  const shipped = CATALOGUE.filter((t) => !category || t.category === category).map((t) => ({
    ...t,
    variables: variablesIn(t.body),
    personal: false,
  }));
  return [...shipped, ...personal.map(personalView)];
}

export async function createTemplate(
  ctx: NotesContext,
  user: AuthUser,
  input: Static<typeof CreateTemplateBody>,
  /** The request's Idempotency-Key: the answer is recorded in the same transaction as the template. */
  idempotency?: IdempotentAnswer,
): Promise<TemplateView> {
  const count = await ctx.db
    .selectFrom('love_notes_templates')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', user.id)
    .executeTakeFirstOrThrow();
  if (Number(count.n) >= MAX_PERSONAL) throw validationError(`At most ${MAX_PERSONAL} personal templates`);
  const created = await ctx.db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('love_notes_templates')
      .values({ user_id: user.id, id: newId(), ...input })
      .returningAll()
      .executeTakeFirstOrThrow();
    const view = personalView(row);
    if (idempotency) await recordAnswer(trx, idempotency, 201, view);
    return view;
  });
  await forgetTemplates(ctx.platform, user.id);
  return created;
}

export async function updateTemplate(
  ctx: NotesContext,
  user: AuthUser,
  id: string,
  input: Static<typeof PatchTemplateBody>,
): Promise<TemplateView> {
  const row = await ctx.db
    .updateTable('love_notes_templates')
    .set({ ...input, updated_at: new Date() })
    .where('user_id', '=', user.id)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw notFound('Template', id);
  await forgetTemplates(ctx.platform, user.id);
  return personalView(row);
}

export async function deleteTemplate(ctx: NotesContext, user: AuthUser, id: string): Promise<null> {
  const result = await ctx.db
    .deleteFrom('love_notes_templates')
    .where('user_id', '=', user.id)
    .where('id', '=', id)
    .executeTakeFirst();
  if (result.numDeletedRows === 0n) throw notFound('Template', id);
  await forgetTemplates(ctx.platform, user.id);
  return null;
}

/** A catalogue template, or one of the sender's own; anything else is a 400 on `templateId`. */
export async function templateBody(ctx: NotesContext, userId: string, templateId: string): Promise<string> {
  const shipped = catalogueTemplate(templateId);
  if (shipped) return shipped.body;
  const own = UUID.test(templateId)
    ? await ctx.db
        .selectFrom('love_notes_templates')
        .select('body')
        .where('user_id', '=', userId)
        .where('id', '=', templateId)
        .executeTakeFirst()
    : undefined;
  if (!own) throw validationError(`Template ${templateId} does not exist`, 'templateId');
  return own.body;
}

/**
 * Fills the server-known variables, looking up only what the text uses.
 * {{daysTogether}} counts to the day the note goes (`at`: now, or its
 * scheduled time) in the sender's zone; {{anniversary}} is written in the
 * sender's locale.
 */
export async function fillNoteText(
  ctx: NotesContext,
  userId: string,
  couple: CoupleFacts & { partnerId: string },
  text: string,
  given: Record<string, string>,
  when: { at: Date; zone?: string },
): Promise<string> {
  const used = new Set(variablesIn(text));
  // A value for a variable the text does not use is a typo or a stale client: refuse it.
  for (const name of Object.keys(given)) {
    if (!used.has(name)) throw validationError(`Unknown template variable {{${name}}}`, `variables.${name}`);
  }
  if (used.size === 0) return text;
  const known: Record<string, string | null> = {};
  if (used.has('myName')) known.myName = await ctx.deps.displayNameOf(ctx.platform, userId);
  if (used.has('partnerName'))
    known.partnerName = await ctx.deps.displayNameOf(ctx.platform, couple.partnerId);
  if (used.has('daysTogether') || used.has('anniversary')) {
    const dates = await ctx.deps.datesOf(ctx.platform, couple.coupleId);
    const zone = when.zone ?? (await ctx.deps.timeZoneOf(ctx.platform, userId));
    if (used.has('daysTogether'))
      known.daysTogether = dates ? String(daysTogether(dates, when.at, zone)) : null;
    if (used.has('anniversary'))
      known.anniversary = dates
        ? readableDay(anniversaryDay(dates, zone), await ctx.deps.localeOf(ctx.platform, userId))
        : null;
  }
  // A value the client passes wins only for variables the server cannot fill.
  const filled: Record<string, string | null> = { ...known };
  for (const [name, value] of Object.entries(given)) if (filled[name] == null) filled[name] = value;
  return fillVariables(text, filled, {});
}
