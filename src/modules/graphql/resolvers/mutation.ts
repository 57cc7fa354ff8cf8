import { validationError } from '../../../platform/http/errors.ts';
import { SendNoteBody } from '../../love-notes/index.ts';
import { ProfileUpdate } from '../../users/index.ts';
import { callerOf, type GraphqlContext } from '../context.ts';
import { inputChecker } from '../input.ts';

const checkNote = inputChecker(SendNoteBody, 'input');
const checkProfile = inputChecker(ProfileUpdate, 'input');

interface NoteInput {
  variables?: Array<{ name: string; value: string }> | null;
  [field: string]: unknown;
}

/** GraphQL has no map type: `[{ name, value }]` becomes REST's `variables` object. */
function restNoteBody(input: NoteInput): Record<string, unknown> {
  const { variables, ...rest } = input;
  // Absent stays absent; null goes on to be refused by the REST schema, as REST refuses it.
  if (!Array.isArray(variables)) return input;
  const record: Record<string, string> = {};
  for (const { name, value } of variables) {
    if (Object.hasOwn(record, name))
      throw validationError(`variable ${name} is given twice`, 'input.variables');
    record[name] = value;
  }
  return { ...rest, variables: record };
}

export const Mutation = {
  sendLoveNote: async (_: unknown, args: { input: NoteInput }, ctx: GraphqlContext) => {
    const caller = callerOf(ctx);
    const { note } = await ctx.services.loveNotes.send(
      caller,
      await checkNote(restNoteBody({ ...args.input })),
    );
    return note;
  },
  updateProfile: async (_: unknown, args: { input: unknown }, ctx: GraphqlContext) => {
    const caller = callerOf(ctx);
    return ctx.services.users.updateMine(caller.id, await checkProfile(args.input));
  },
};
