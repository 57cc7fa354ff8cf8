import { MonthQuery } from '../../calendar/index.ts';
import { ListNotesQuery } from '../../love-notes/index.ts';
import { UserIdParams } from '../../users/index.ts';
import { callerOf, type GraphqlContext } from '../context.ts';
import { inputChecker } from '../input.ts';

const checkFilter = inputChecker(ListNotesQuery, 'filter');
const checkUserId = inputChecker(UserIdParams, '');
const checkMonth = inputChecker(MonthQuery, '');

export const Query = {
  user: async (_: unknown, args: { id: string }, ctx: GraphqlContext) => {
    const caller = callerOf(ctx);
    const { id } = await checkUserId({ id: args.id });
    return ctx.services.users.get(caller.id, id);
  },
  loveNotes: async (_: unknown, args: { filter?: unknown }, ctx: GraphqlContext) => {
    const caller = callerOf(ctx);
    return (await ctx.services.loveNotes.list(caller, await checkFilter(args.filter ?? {}))).items;
  },
  loveNotePage: async (_: unknown, args: { filter?: unknown }, ctx: GraphqlContext) => {
    const caller = callerOf(ctx);
    const page = await ctx.services.loveNotes.list(caller, await checkFilter(args.filter ?? {}));
    return { notes: page.items, nextCursor: page.nextCursor };
  },
  calendar: async (
    _: unknown,
    args: { month: number; year: number; timeZone?: string | null },
    ctx: GraphqlContext,
  ) => {
    const caller = callerOf(ctx);
    const query = await checkMonth({
      month: args.month,
      year: args.year,
      ...(args.timeZone != null ? { timeZone: args.timeZone } : {}),
    });
    return ctx.services.calendar.month(caller, query);
  },
};
