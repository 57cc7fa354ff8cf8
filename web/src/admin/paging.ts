import { unwrap } from '@one2one/client';

interface Paged<T> {
  data?: { data: T; meta: { nextCursor?: string | null } };
  error?: unknown;
  response: Response;
}

/** One page of a cursor list: its items (or the ApiError) and the cursor of the next page. */
export async function pageOf<T>(call: Promise<Paged<T>>): Promise<{ items: T; next: string | null }> {
  const result = await call;
  const items = await unwrap(Promise.resolve(result));
  return { items, next: result.data?.meta.nextCursor ?? null };
}
