import type { Kysely, Transaction } from 'kysely';

/**
 * Work that must wait until a transaction's writes are visible to everyone,
 * e.g. a cache invalidation: done before the commit, a read in between could
 * put the old answer back under the new version, to be served until its TTL.
 * Hooks run in order once `withCommitHooks` has committed, before it
 * resolves (a bus batch is acknowledged only after them); never when it rolls
 * back. Hooks registered under a savepoint that is rolled back are dropped
 * (`hookMark` / `dropHooksSince`, used by dispatch.ts).
 */
type Hook = () => Promise<void>;
// biome-ignore lint/suspicious/noExplicitAny: the hooks ignore the transaction's tables
type AnyTransaction = Transaction<any>;

const hooksOf = new WeakMap<AnyTransaction, Hook[]>();

/** Runs `hook` once `trx` commits. Refuses a transaction not opened by `withCommitHooks`: the hook could never run. */
export function afterCommit(trx: AnyTransaction, hook: Hook): void {
  const hooks = hooksOf.get(trx);
  if (!hooks) throw new Error('afterCommit: the transaction was not opened by withCommitHooks');
  hooks.push(hook);
}

/** `db.transaction().execute(run)`, then the hooks `run` registered, each once, in order. */
export async function withCommitHooks<DB, T>(
  db: Kysely<DB>,
  run: (trx: Transaction<DB>) => Promise<T>,
  onHookError: (error: unknown) => void = () => {},
): Promise<T> {
  const hooks: Hook[] = [];
  const result = await db.transaction().execute((trx) => {
    hooksOf.set(trx, hooks);
    return run(trx);
  });
  for (const hook of hooks) {
    // Committed is committed: a failing hook is reported, and the others still run.
    await hook().catch(onHookError);
  }
  return result;
}

/** How many hooks are registered now (before a savepoint). */
export function hookMark(trx: AnyTransaction): number {
  return hooksOf.get(trx)?.length ?? 0;
}

/** Forgets the hooks registered since `mark` (their savepoint was rolled back). */
export function dropHooksSince(trx: AnyTransaction, mark: number): void {
  hooksOf.get(trx)?.splice(mark);
}
