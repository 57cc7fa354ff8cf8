import { sql } from 'kysely';
import type { Access } from './access.ts';
import { readableVisibilities } from './access.ts';
import type { ContentContext } from './context.ts';
import { escapeHtml } from './markdown.ts';
import type { ItemRow, ItemType } from './tables.ts';

/**
 * Full-text search over published items: the generated `search` tsvector
 * (title A, excerpt B, body C) with `websearch_to_tsquery`, plus trigram word
 * similarity on titles so "gratitud" or "listning" still find something.
 * Ranked by ts_rank_cd plus title similarity.
 *
 * A body the caller may not read is neither matched nor quoted: for such
 * items only the title and excerpt weights (A, B) count, and the snippet is
 * cut from the excerpt. Snippets are built from plain text with control
 * characters as markers, HTML-escaped, then the markers become <mark>.
 */
export interface SearchHit {
  row: ItemRow;
  snippet: string;
}

const START = '\u0002';
const STOP = '\u0003';
const HEADLINE = `StartSel=${START}, StopSel=${STOP}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "`;
/** Title similarity needed for a typo match (pg_trgm word_similarity, 0–1). */
const TYPO_THRESHOLD = 0.5;

export async function searchItems(
  ctx: ContentContext,
  input: { q: string; type?: ItemType; tag?: string; access: Access; offset: number; limit: number },
): Promise<SearchHit[]> {
  const readable = readableVisibilities(input.access);
  return ctx.db.transaction().execute(async (trx) => {
    // Scoped to this transaction: the `<%` operator (index-assisted) uses it.
    await sql`select set_config('pg_trgm.word_similarity_threshold', ${String(TYPO_THRESHOLD)}, true)`.execute(
      trx,
    );
    // Rank every match, then cut snippets for the page only: ts_headline is the costly part.
    const result = await sql<ItemRow & { rank: number; snippet: string }>`
      with query as (select websearch_to_tsquery('english', ${input.q}) as tsq),
      ranked as (
        select i.id, i.published_at,
          ts_rank_cd(case when i.visibility = any(${readable}::text[]) then i.search else ts_filter(i.search, '{a,b}') end, query.tsq)
            + word_similarity(${input.q}, i.title) as rank
        from content_items i, query
        where i.status = 'published' and i.published_at <= now()
          ${input.type ? sql`and i.type = ${input.type}` : sql``}
          ${input.tag ? sql`and i.tags @> array[${input.tag}]::text[]` : sql``}
          and (
            (i.search @@ query.tsq and (i.visibility = any(${readable}::text[]) or ts_filter(i.search, '{a,b}') @@ query.tsq))
            or ${input.q} <% i.title
          )
        order by rank desc, i.published_at desc, i.id desc
        offset ${input.offset} limit ${input.limit}
      )
      select i.*, ranked.rank,
        case when i.visibility = any(${readable}::text[])
          then ts_headline('english', i.body_text, query.tsq, ${HEADLINE})
          else ts_headline('english', i.excerpt, query.tsq, ${HEADLINE})
        end as snippet
      from ranked join content_items i on i.id = ranked.id, query
      order by ranked.rank desc, ranked.published_at desc, ranked.id desc`.execute(trx);
    return result.rows.map(({ rank: _rank, snippet, ...row }) => ({
      row: row as ItemRow,
      snippet: highlight(snippet),
    }));
  });
}

function highlight(snippet: string): string {
  return escapeHtml(snippet).replaceAll(START, '<mark>').replaceAll(STOP, '</mark>');
}

export type LibraryHit = { id: string; slug: string; title: string; tags: string[]; excerpt: string };

/**
 * The library as the AI coach sees it: published items matching `query`,
 * best first, with nothing of a body beyond what anyone may read (excerpts only).
 */
export async function searchLibrary(
  ctx: ContentContext,
  query: string,
  limit: number,
): Promise<LibraryHit[]> {
  const q = query.replaceAll('\u0000', '').trim().slice(0, 200);
  if (q === '') return [];
  const hits = await searchItems(ctx, {
    q,
    access: 'anonymous',
    offset: 0,
    limit: Math.max(1, Math.min(50, Math.floor(limit))),
  });
  return hits.map(({ row }) => ({
    id: row.id,
    slug: row.slug,
    title: row.title,
    tags: row.tags,
    excerpt: row.excerpt,
  }));
}
